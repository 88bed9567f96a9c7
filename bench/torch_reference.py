"""PyTorch reference for `deno task bench`: the same CLIP image-tower workloads, timed in PyTorch on the same machine.

The bench starts this script once and talks to it in JSON lines on stdin/stdout, so that it can alternate its own
measurements with PyTorch's (machine noise then hits both):

    {"cmd": "setup", "config": {...ClipConfig...}, "threads": 2, "seed": 0}
        -> {"ok": true, "torch": "1.13.1", "threads": 2, "blas": "...", "python": "3.11.2"}
    {"cmd": "run", "kind": "forward" | "step", "batch": 8, "iterations": 2}
        -> {"ok": true, "seconds": [..]}
    {"cmd": "quit"}

Workloads (random weights, fp32, eval mode, every CLIP weight frozen):
  forward  encode_image(pixels [B, 3, R, R]) under torch.no_grad() -> features [B, embed].
  step     PPAD's image-prompt step: patch tokens outside each image's region replaced by learned prompt tokens
           (x * keep + P * (1 - keep), P [grid^2, width]), features -> 100 * cos with 2 fixed text features,
           BCE-with-logits, backward; gradients reach P only. No text tower (the bench's step does the same).
The model follows OpenAI's VisionTransformer layout (conv patch embedding, CLS + positional embedding, ln_pre,
pre-LN blocks with nn.MultiheadAttention over [tokens, batch, width] and QuickGELU, ln_post on CLS, proj).

`python3 bench/torch_reference.py --probe` prints the setup answer for a ViT-B/32 and exits (used to detect torch).
"""

import json
import os
import sys
import time


def _threads_from_argv() -> int:
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return int(sys.argv[i + 1])
    return 0


# BLAS and OpenMP pools read their sizes when the libraries load: set them before importing torch.
_T = _threads_from_argv()
if _T > 0:
    for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_name] = str(_T)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class QuickGELU(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


class Block(nn.Module):
    """Pre-LN residual block: x + attn(ln_1(x)), then x + mlp(ln_2(x)); x is [tokens, batch, width]."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_1 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), QuickGELU(), nn.Linear(4 * width, width))
        self.ln_2 = nn.LayerNorm(width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class Vision(nn.Module):
    """The image tower; `forward(pixels, keep, prompts)` applies image prompts when `prompts` is given."""

    def __init__(self, c: dict):
        super().__init__()
        w, p, g = c["visionWidth"], c["patchSize"], c["grid"]
        self.width, self.grid = w, g
        scale = w**-0.5
        self.conv1 = nn.Conv2d(3, w, kernel_size=p, stride=p, bias=False)
        self.class_embedding = nn.Parameter(scale * torch.randn(w))
        self.positional_embedding = nn.Parameter(scale * torch.randn(g * g + 1, w))
        self.ln_pre = nn.LayerNorm(w)
        self.blocks = nn.Sequential(*[Block(w, c["visionHeads"]) for _ in range(c["visionLayers"])])
        self.ln_post = nn.LayerNorm(w)
        self.proj = nn.Parameter(scale * torch.randn(w, c["embedDim"]))

    def forward(self, pixels, keep=None, prompts=None):
        x = self.conv1(pixels)  # [B, w, g, g]
        x = x.reshape(x.shape[0], self.width, -1).permute(0, 2, 1)  # [B, g², w]
        if prompts is not None:
            m = keep.unsqueeze(-1)  # [B, g², 1]
            x = x * m + prompts.unsqueeze(0) * (1 - m)
        cls = self.class_embedding.to(x.dtype).expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding  # [B, T, w]
        x = self.ln_pre(x).permute(1, 0, 2)  # [T, B, w]
        x = self.blocks(x).permute(1, 0, 2)  # [B, T, w]
        return self.ln_post(x[:, 0, :]) @ self.proj  # [B, embed]


def region_keep(batch: int, g: int) -> torch.Tensor:
    """keep [B, g²]: image i sees region i mod 5 (left, right, upper, lower half, whole), as the bench's step."""
    keep = torch.zeros(batch, g * g)
    mid = (g - 1) / 2
    for i in range(batch):
        r = i % 5
        for y in range(g):
            for x in range(g):
                inside = [x <= mid, x >= mid, y <= mid, y >= mid, True][r]
                keep[i, y * g + x] = 1.0 if inside else 0.0
    return keep


def blas_library() -> str:
    """The BLAS shared library this process loaded (openblas, blis, mkl, or netlib's reference libblas)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line or "mkl" in line or "blis" in line}
        libs = sorted({os.path.realpath(lib) for lib in libs if lib.startswith("/")})
        named = [lib for lib in libs if any(k in os.path.basename(lib) for k in ("openblas", "mkl", "blis"))]
        if named or libs:
            return ", ".join(named or libs)
    except OSError:
        pass
    return "unknown"


class Bench:
    def __init__(self, config: dict, threads: int, seed: int):
        torch.manual_seed(seed)
        if threads > 0:
            torch.set_num_threads(threads)
        self.c = config
        self.model = Vision(config).eval()
        for p in self.model.parameters():
            p.requires_grad_(False)
        self.text = F.normalize(torch.randn(2, config["embedDim"]), dim=-1)  # fixed text features [2, embed]
        self.prompts = (0.2 * torch.randn(config["grid"] ** 2, config["visionWidth"])).requires_grad_(True)
        self.inputs = {}

    def _inputs(self, batch: int):
        if batch not in self.inputs:
            c = self.c
            r, g = c["imageResolution"], c["grid"]
            pixels = torch.randn(batch, 3, r, r)
            labels = F.one_hot(torch.randint(0, 2, (batch,)), 2).float()
            self.inputs[batch] = (pixels, region_keep(batch, g), labels)
        return self.inputs[batch]

    def forward(self, batch: int) -> None:
        pixels, _, _ = self._inputs(batch)
        with torch.no_grad():
            self.model(pixels).sum().item()

    def step(self, batch: int) -> None:
        pixels, keep, labels = self._inputs(batch)
        prompts = self.prompts
        prompts.grad = None
        f = self.model(pixels, keep, prompts)
        logits = 100.0 * F.normalize(f, dim=-1) @ self.text.t()
        F.binary_cross_entropy_with_logits(logits, labels).backward()
        prompts.grad.sum().item()

    def run(self, kind: str, batch: int, iterations: int) -> list:
        fn = self.forward if kind == "forward" else self.step
        out = []
        for _ in range(iterations):
            t0 = time.perf_counter()
            fn(batch)
            out.append(time.perf_counter() - t0)
        return out


def describe(threads: int) -> dict:
    return {
        "ok": True,
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "blas": blas_library(),
    }


def main() -> None:
    if "--probe" in sys.argv:
        print(json.dumps(describe(_T)), flush=True)
        return
    bench = None
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            msg = json.loads(line)
            cmd = msg.get("cmd")
            if cmd == "setup":
                bench = Bench(msg["config"], int(msg.get("threads", 0)), int(msg.get("seed", 0)))
                reply = describe(int(msg.get("threads", 0)))
            elif cmd == "run":
                if bench is None:
                    raise RuntimeError("run before setup")
                kind = msg["kind"]
                if kind not in ("forward", "step"):
                    raise ValueError(f"unknown kind {kind!r}")
                reply = {"ok": True, "seconds": bench.run(kind, int(msg["batch"]), int(msg.get("iterations", 1)))}
            elif cmd == "quit":
                return
            else:
                raise ValueError(f"unknown command {cmd!r}")
        except Exception as e:  # one line back to the bench, which reports it
            reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
