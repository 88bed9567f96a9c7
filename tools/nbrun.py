#!/usr/bin/python3
"""Headless notebook runner for the Deno Jupyter kernel (run by `deno task notebooks`; Debian's python3-nbclient).

The Deno kernel sometimes publishes a cell's result *after* it reports idle, and stock `nbconvert --execute` then
silently drops that output. After each cell this runner sends a `kernel_info_request` and keeps draining IOPub until
that request's idle status arrives (plus a short grace period), so late outputs of the cell are still recorded.

Usage: nbrun.py --out DIR [--kernel deno] [--timeout SEC] [--grace SEC] NOTEBOOK.ipynb...

For each notebook it writes DIR/<name>.ipynb (executed, signed as trusted) and DIR/<name>.html (nbconvert's
HTMLExporter). A failing cell stops the run with `Notebook <name>, cell <n>: <ename>: <evalue>` on stderr and exit
status 1 (cells are numbered from 1 in notebook order, markdown cells included). Exit status 2: bad arguments.
"""

import argparse
import asyncio
import os
import queue
import sys
import time

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionComplete, CellExecutionError, CellTimeoutError, DeadKernelError
    from nbconvert import HTMLExporter
    from nbformat.sign import NotebookNotary
except ImportError as err:  # pragma: no cover - environment problem
    print(f"error: Cannot start the notebook runner: {err} (install Debian's jupyter-nbconvert jupyter-client "
          "python3-nbclient python3-ipykernel)", file=sys.stderr)
    sys.exit(3)


MATHJAX_URL = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
REQUIRE_JS_URL = "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"


class DrainingClient(NotebookClient):
    """An nbclient that, after each code cell, drains IOPub until a kernel_info round trip has finished."""

    def __init__(self, nb, grace=0.3, drain_timeout=15.0, **kw):
        super().__init__(nb, **kw)
        self.grace = grace
        self.drain_timeout = drain_timeout
        self.late_outputs = 0
        self.current_cell_index = None
        self._last_execute_id = None

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        execute = kc.execute

        def tracking_execute(*args, **kwargs):
            msg_id = execute(*args, **kwargs)
            self._last_execute_id = msg_id
            return msg_id

        kc.execute = tracking_execute
        return kc

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        self._last_execute_id = None
        self.current_cell_index = cell_index
        try:
            result = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except CellExecutionError:
            if self._last_execute_id:
                await self._drain(self._last_execute_id, cell, cell_index)
            raise
        if self._last_execute_id:
            await self._drain(self._last_execute_id, cell, cell_index)
        return result

    async def _drain(self, exec_id, cell, cell_index):
        """Sends kernel_info_request; records the cell's late IOPub messages until that request's idle + grace."""
        ki_id = self.kc.kernel_info()
        deadline = time.monotonic() + self.drain_timeout
        grace_until = None
        while True:
            now = time.monotonic()
            limit = grace_until if grace_until is not None else deadline
            if now >= limit:
                if grace_until is None:
                    print(f"warning: no idle status for kernel_info after cell {cell_index + 1} within "
                          f"{self.drain_timeout:.0f} s; continuing", file=sys.stderr)
                break
            try:
                msg = await self.kc.iopub_channel.get_msg(timeout=limit - now)
            except queue.Empty:
                continue
            parent = msg.get("parent_header", {}).get("msg_id")
            msg_type = msg["msg_type"]
            if parent == exec_id:
                if msg_type == "status":
                    continue
                try:
                    if self.process_message(msg, cell, cell_index) is not None:
                        self.late_outputs += 1
                except CellExecutionComplete:
                    pass
            elif parent == ki_id and msg_type == "status" and msg["content"].get("execution_state") == "idle":
                grace_until = time.monotonic() + self.grace
        # consume the kernel_info reply on the shell channel so it cannot be mistaken for anything later
        try:
            await self.async_wait_for_reply(ki_id)
        except Exception:  # noqa: BLE001 - best effort; a missing reply only costs the timeout
            pass


def first_line(text):
    text = (text or "").strip()
    return text.splitlines()[0] if text else ""


def run_one(path, out_dir, kernel, timeout, grace):
    name = os.path.splitext(os.path.basename(path))[0]
    nb = nbformat.read(path, as_version=4)
    client = DrainingClient(
        nb,
        grace=grace,
        timeout=timeout,
        kernel_name=kernel,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
        record_timing=True,
    )
    started = time.monotonic()
    try:
        asyncio.run(client.async_execute())
    except CellExecutionError as err:
        n = client.current_cell_index + 1 if client.current_cell_index is not None else "?"
        ename = getattr(err, "ename", "Error")
        evalue = first_line(getattr(err, "evalue", str(err)))
        print(f"Notebook {name}, cell {n}: {ename}: {evalue}", file=sys.stderr)
        return False
    except CellTimeoutError as err:
        print(f"Notebook {name}: a cell timed out after {timeout} s: {first_line(str(err))}", file=sys.stderr)
        return False
    except DeadKernelError as err:
        print(f"Notebook {name}: the kernel died: {first_line(str(err))}", file=sys.stderr)
        return False
    elapsed = time.monotonic() - started
    NotebookNotary().sign(nb)
    os.makedirs(out_dir, exist_ok=True)
    ipynb_path = os.path.join(out_dir, f"{name}.ipynb")
    html_path = os.path.join(out_dir, f"{name}.html")
    write_atomic(ipynb_path, nbformat.writes(nb))
    exporter = HTMLExporter()
    # Debian's nbconvert points these at file:///usr/share/javascript/…, which exists only on Debian machines;
    # use upstream nbconvert's CDN defaults instead. Neither is needed for the outputs (charts are inline SVG).
    exporter.mathjax_url = MATHJAX_URL
    exporter.require_js_url = REQUIRE_JS_URL
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    write_atomic(html_path, body)
    cells = sum(1 for c in nb.cells if c.cell_type == "code")
    print(f"{name}: {cells} code cells in {elapsed:.1f} s ({client.late_outputs} late outputs recovered) → "
          f"{ipynb_path}, {html_path}", file=sys.stderr)
    return True


def write_atomic(path, text):
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--out", required=True, help="folder for the executed .ipynb and .html")
    parser.add_argument("--kernel", default="deno", help="kernelspec name (default deno)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell (default 1800)")
    parser.add_argument("--grace", type=float, default=0.3, help="seconds to keep draining after the idle (default 0.3)")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if not os.path.isfile(path):
            print(f"error: Cannot run notebook {path}: no such file", file=sys.stderr)
            return 2
    for path in args.notebooks:
        if not run_one(path, args.out, args.kernel, args.timeout, args.grace):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
