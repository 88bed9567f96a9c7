"""The plain-classifier yardstick, repeated over seeds.

A ViT of the pretrained backbones' vision size (width 192, 4 layers, 3 heads, patch 32, 224 px, class token) trained
from scratch as a normal-vs-COVID-19 classifier on the pretraining corpus's training part (5,400 films; the 600 of the
held-out slice are never trained on), with light augmentation (the ranges of lib/train/augment.ts's `light` preset),
for 6 epochs (`--epochs`) of 64 films. `--arch resnet` trains a small ResNet instead (ResNet-18's layout at a quarter
of its width), `--arch vit-convstem` the ViT with a convolutional stem; both keep the 7 x 7 grid. `--averages` scores
running averages of the weights (exponential moving averages, a tail average) instead of the weights themselves, and
`--equalise` histogram-equalises every film first. After every epoch it scores the held-out slice and ZhangLab test
(AUROC of P(COVID-19)); ZhangLab is reported, never used to choose anything: every seed runs the same fixed recipe to
the end.

It needs PyTorch (Debian: python3-torch), numpy and Pillow, and is not part of the platform: it measures how far a
plain classifier's ZhangLab AUROC varies from one seed to the next, the yardstick the backbones are compared with.

    deno task yardstick:split > /tmp/split.json
    python3 experiments/yardstick/classifier.py --split /tmp/split.json --seeds 1,2,3,4,5 \
        --zhanglab ../shared/data/zhanglab-224/chest_xray/test --out results/backbones/yardstick-classifier.csv
    python3 experiments/yardstick/classifier.py --split /tmp/split.json --seeds 1,2 --epochs 12 \
        --zhanglab ../shared/data/zhanglab-224/chest_xray/test --out results/backbones/yardstick-classifier-12-epochs.csv
    python3 experiments/yardstick/classifier.py --split /tmp/split.json --seeds 1,2,3,4,5 --arch resnet \
        --zhanglab ../shared/data/zhanglab-224/chest_xray/test --out results/backbones/yardstick-classifier-resnet.csv
    python3 experiments/yardstick/classifier.py --split /tmp/split.json --seeds 1,2,3 --arch vit-convstem \
        --zhanglab ../shared/data/zhanglab-224/chest_xray/test --out results/backbones/yardstick-classifier-convstem.csv
    python3 experiments/yardstick/classifier.py --split /tmp/split.json --seeds 1,2,3,4,5 \
        --averages ema:0.99,ema:0.998,tail:1 \
        --zhanglab ../shared/data/zhanglab-224/chest_xray/test --out results/backbones/yardstick-classifier-averaged.csv
    python3 experiments/yardstick/classifier.py --split /tmp/split.json --seeds 1,2,3,4,5 --equalise \
        --zhanglab ../shared/data/zhanglab-224/chest_xray/test \
        --out results/backbones/yardstick-classifier-equalised.csv
    deno task yardstick:chart    # every results/backbones/yardstick-classifier*.csv

The table is rewritten after every seed, so a run stopped early keeps the seeds it finished.
"""

import argparse
import copy
import csv
import json
import math
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

SIZE, PATCH, WIDTH, LAYERS, HEADS = 224, 32, 192, 4, 3
BATCH, LR, WEIGHT_DECAY, WARMUP = 64, 3e-4, 0.05, 0.05


def load_grey(path):
    try:
        img = Image.open(path).convert("L")
    except (OSError, ValueError) as e:
        sys.exit(f"Cannot read {path}: {e}")
    if img.size != (SIZE, SIZE):
        img = img.resize((SIZE, SIZE), Image.BICUBIC)
    return np.asarray(img, dtype=np.uint8)


def equalise(images):
    """Histogram equalisation of each 8-bit film [n, S, S] on its own (the grey levels spread by their rank in the film,
    as radiology viewers and CXR pipelines do), so that a film's exposure and contrast no longer tell where it was
    taken; films of one grey level are left as they are."""
    out = np.empty_like(images)
    for i, img in enumerate(images):
        cdf = np.bincount(img.ravel(), minlength=256).cumsum()
        lo = cdf[cdf > 0][0]
        span = cdf[-1] - lo
        out[i] = img if span == 0 else np.round((cdf[img] - lo) * 255.0 / span).clip(0, 255).astype(np.uint8)
    return out


def load_zhanglab(root):
    paths, labels = [], []
    for label, folder in ((0, "NORMAL"), (1, "PNEUMONIA")):
        d = os.path.join(root, folder)
        if not os.path.isdir(d):
            sys.exit(f"Cannot read {d}: no such folder (expected ZhangLab's test/NORMAL and test/PNEUMONIA)")
        for f in sorted(os.listdir(d)):
            if f.lower().endswith((".jpg", ".jpeg", ".png")):
                paths.append(os.path.join(d, f))
                labels.append(label)
    return np.stack([load_grey(p) for p in paths]), np.array(labels)


def auroc(scores, labels):
    """Mann-Whitney AUROC with ties counted half."""
    order = np.argsort(scores, kind="mergesort")
    s, y = scores[order], labels[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[i : j + 1] = (i + j) / 2 + 1
        i = j + 1
    pos = y == 1
    n1, n0 = pos.sum(), (~pos).sum()
    return (ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


def augment(x, gen):
    """Light augmentation of a batch [b, 1, S, S] in [0, 1]: affine view (scale, aspect, rotation, shift), then gamma,
    contrast and brightness. No flips."""
    b = x.shape[0]
    u = lambda lo, hi: lo + (hi - lo) * torch.rand(b, generator=gen)
    scale, aspect = u(0.8, 1.0), u(0.9, 1.1)
    rot = u(-7, 7) * math.pi / 180
    sx, sy = scale * aspect.sqrt(), scale / aspect.sqrt()
    tx, ty = u(-1, 1) * (1 - sx).clamp(min=0), u(-1, 1) * (1 - sy).clamp(min=0)
    cos, sin = rot.cos(), rot.sin()
    theta = torch.stack(
        [torch.stack([sx * cos, -sy * sin, tx], 1), torch.stack([sx * sin, sy * cos, ty], 1)], 1
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    gamma = u(0.8, 1.25).view(b, 1, 1, 1)
    x = x.clamp(0, 1) ** gamma
    mean = x.mean((1, 2, 3), keepdim=True)
    x = (x - mean) * u(0.85, 1.15).view(b, 1, 1, 1) + mean + u(-0.04, 0.04).view(b, 1, 1, 1)
    return x.clamp(0, 1)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(WIDTH), nn.LayerNorm(WIDTH)
        self.attn = nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(WIDTH, 4 * WIDTH), nn.GELU(), nn.Linear(4 * WIDTH, WIDTH))

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class ViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(1, WIDTH, PATCH, PATCH, bias=False)
        n = (SIZE // PATCH) ** 2
        self.cls = nn.Parameter(torch.randn(WIDTH) * WIDTH**-0.5)
        self.pos = nn.Parameter(torch.randn(n + 1, WIDTH) * WIDTH**-0.5)
        self.ln_pre, self.ln_post = nn.LayerNorm(WIDTH), nn.LayerNorm(WIDTH)
        self.blocks = nn.Sequential(*[Block() for _ in range(LAYERS)])
        self.head = nn.Linear(WIDTH, 1)

    def forward(self, x):
        x = (x - 0.5) / 0.25
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], 1, -1), x], 1) + self.pos
        x = self.blocks(self.ln_pre(x))
        return self.head(self.ln_post(x[:, 0])).squeeze(1)


class ConvStemViT(ViT):
    """The same ViT with a convolutional stem in place of its 32 x 32 patch embedding (Xiao et al., 2021, "Early
    convolutions help transformers see better"): five 3 x 3 stride-2 convolutions with batch norm (16-32-64-128-192
    channels) and a 1 x 1 projection, the same 7 x 7 grid of tokens at 224 px."""

    def __init__(self, widths=(16, 32, 64, 128, WIDTH)):
        super().__init__()
        layers, cin = [], 1
        for w in widths:
            layers += [nn.Conv2d(cin, w, 3, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
            cin = w
        self.patch = nn.Sequential(*layers, nn.Conv2d(cin, WIDTH, 1))


class Residual(nn.Module):
    """A ResNet basic block: two 3 x 3 convolutions with batch norm, a projected shortcut where the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout),
        )
        self.skip = (
            nn.Identity() if stride == 1 and cin == cout
            else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        )

    def forward(self, x):
        return F.relu(self.body(x) + self.skip(x))


class ResNet(nn.Module):
    """ResNet-18's layout at a quarter of its width (16-32-64-128 channels, 2 blocks per stage; 0.7 M parameters
    against the ViT's 2.0 M): the same 7 x 7 grid at 224 px (stride 32), global average pooling, one logit."""

    def __init__(self, widths=(16, 32, 64, 128)):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(1, widths[0], 7, 2, 3, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2, 1),
        )
        blocks, cin = [], widths[0]
        for i, w in enumerate(widths):
            blocks += [Residual(cin, w, 1 if i == 0 else 2), Residual(w, w, 1)]
            cin = w
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(cin, 1)

    def forward(self, x):
        x = self.blocks(self.stem((x - 0.5) / 0.25))
        return self.head(x.mean((2, 3))).squeeze(1)


ARCHITECTURES = {
    "vit": (ViT, f"ViT w{WIDTH} L{LAYERS} p{PATCH}"),
    "resnet": (ResNet, "ResNet-18 layout, quarter width"),
    "vit-convstem": (ConvStemViT, f"ConvStemViT w{WIDTH} L{LAYERS} s{PATCH}"),
}


def parse_average(spec):
    """`ema:DECAY` or `tail:EPOCH` as (kind, value); a ValueError naming the flag otherwise."""
    kind, _, value = spec.partition(":")
    try:
        number = float(value)
    except ValueError:
        number = None
    if kind not in ("ema", "tail") or number is None:
        raise ValueError(f"--averages: '{spec}' is not ema:DECAY or tail:EPOCH")
    if kind == "ema" and not 0 < number < 1:
        raise ValueError(f"--averages: the decay of '{spec}' is not between 0 and 1")
    return kind, number


class WeightAverage:
    """A running average of a model's weights (parameters and floating-point buffers), updated after every optimiser
    step: `ema:D` an exponential moving average of decay D, bias-corrected as Adam's moments (started from zero and
    divided by 1 - D^t, so early averages hold the steps so far and not the initialisation); `tail:E` the uniform
    average of every step after epoch E (stochastic weight averaging's tail average). The training itself is untouched:
    averages only read it."""

    def __init__(self, spec, model, steps_per_epoch):
        self.kind, self.value = parse_average(spec)
        self.start = 0 if self.kind == "ema" else int(self.value) * steps_per_epoch
        decay = spec.partition(":")[2]
        self.label = f"EMA {decay}" if self.kind == "ema" else f"tail average after epoch {int(self.value)}"
        self.model, self.updates = copy.deepcopy(model), 0
        # state_dict() tensors share storage with the models' weights: pair them once, update them in place.
        self.pairs = list(zip(self.model.state_dict().values(), model.state_dict().values()))

    def update(self, step):
        """Folds the followed model's current weights in (step counts optimiser steps from 1)."""
        if step <= self.start:
            return
        self.updates += 1
        t = self.updates
        d = self.value
        keep = d * (1 - d ** (t - 1)) / (1 - d**t) if self.kind == "ema" else (t - 1) / t
        with torch.no_grad():
            for mine, theirs in self.pairs:
                if mine.dtype.is_floating_point:
                    mine.mul_(keep).add_(theirs, alpha=1 - keep)
                else:
                    mine.copy_(theirs)

    def ready(self):
        return self.updates > 0


def scores_of(model, pixels):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(pixels), 128):
            x = torch.from_numpy(pixels[i : i + 128]).float().div(255).unsqueeze(1)
            out.append(model(x).numpy())
    model.train()
    return np.concatenate(out)


def run(arch, seed, epochs, train_x, train_y, held_x, held_y, zl_x, zl_y, rows, meta, averages=()):
    """Trains one seed and appends its rows. With `averages`, the rows score those averages of the weights (one recipe
    each, named by the average) and the raw weights' numbers, those of the plain run, are only printed."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = ARCHITECTURES[arch][0]()
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and n not in ("pos",)]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and n not in ("pos",))]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": no_decay, "weight_decay": 0}], lr=LR
    )
    steps_per_epoch = len(train_x) // BATCH
    total = epochs * steps_per_epoch
    warm = max(1, round(WARMUP * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (total - warm)))
    )
    averaged = [WeightAverage(spec, model, steps_per_epoch) for spec in averages]
    start, step = time.time(), 0
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(train_x), generator=gen).numpy()
        for b in range(steps_per_epoch):
            idx = order[b * BATCH : (b + 1) * BATCH]
            x = augment(torch.from_numpy(train_x[idx]).float().div(255).unsqueeze(1), gen)
            y = torch.from_numpy(train_y[idx]).float()
            loss = F.binary_cross_entropy_with_logits(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            for a in averaged:
                a.update(step)
            if step % 20 == 0:
                el = time.time() - start
                eta = el / step * (total - step)
                print(f"\rseed {seed} step {step}/{total} loss {loss.item():.3f} eta {eta:.0f}s", end="", file=sys.stderr)
        scored = [(None, model)] + [(a.label, a.model) for a in averaged if a.ready()]
        wall = time.time() - start
        for label, m in scored:
            held = auroc(scores_of(m, held_x), held_y)
            zl = auroc(scores_of(m, zl_x), zl_y)
            name = label or "raw weights"
            print(
                f"\nseed {seed} epoch {epoch} {name}: held-out {held*100:.1f}, ZhangLab {zl*100:.1f} ({wall:.0f}s)",
                file=sys.stderr,
            )
            if averaged and label is None:
                continue
            recipe = meta["recipe"] + (f", weights {label}" if label else "")
            row = {**meta, "recipe": recipe, "seed": seed, "epoch": epoch}
            for role, value in (("held-out real (model selection)", held), ("ZhangLab test (reported only)", zl)):
                rows.append({**row, "role": role, "metric": "auroc", "value": f"{value:.5f}"})
            rows.append({**row, "role": "", "metric": "wall_s", "value": f"{wall:.0f}"})


def cpu_name():
    """The CPU's model name where Linux says it, else the architecture."""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", required=True, help="JSON written by deno task yardstick:split")
    ap.add_argument("--zhanglab", required=True, help="ZhangLab test folder (NORMAL/, PNEUMONIA/)")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--epochs", type=int, default=6, help="passes over the training part (the cosine schedule spans them)")
    ap.add_argument("--arch", choices=sorted(ARCHITECTURES), default="vit", help="the network (default: the ViT)")
    ap.add_argument(
        "--equalise", action="store_true",
        help="histogram-equalise every film (training, held-out and ZhangLab alike) before anything else",
    )
    ap.add_argument(
        "--averages", default="",
        help="comma-separated averages of the weights to score instead of the raw weights: ema:DECAY, tail:EPOCH",
    )
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    averages = [x for x in a.averages.split(",") if x]
    try:
        for spec in averages:
            kind, value = parse_average(spec)
            if kind == "tail" and int(value) >= a.epochs:
                raise ValueError(f"--averages: '{spec}' starts after the last of {a.epochs} epochs")
    except ValueError as e:
        sys.exit(str(e))
    try:
        split = json.load(open(a.split))
        root = split["root"]
        train, held = split["train"], split["heldOut"]
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"Cannot read {a.split}: {e}")
    lab = lambda es: np.array([0 if e["label"] == "normal" else 1 for e in es])
    zl_x, zl_y = load_zhanglab(a.zhanglab)
    train_x = np.stack([load_grey(os.path.join(root, e["path"])) for e in train])
    held_x = np.stack([load_grey(os.path.join(root, e["path"])) for e in held])
    if a.equalise:
        zl_x, train_x, held_x = equalise(zl_x), equalise(train_x), equalise(held_x)
    meta = {
        "recipe": f"{ARCHITECTURES[a.arch][1]}, BCE, light augmentation, {a.epochs} epochs x {BATCH}, AdamW {LR}"
        + (", input histogram-equalised" if a.equalise else ""),
        "machine": f"{cpu_name()}, {a.threads} threads, torch {torch.__version__}",
    }
    rows = []
    for seed in [int(s) for s in a.seeds.split(",")]:
        run(a.arch, seed, a.epochs, train_x, lab(train), held_x, lab(held), zl_x, zl_y, rows, meta, averages)
        write_table(a.out, rows)  # after every seed: a run stopped early keeps the seeds it finished
        print(f"wrote {a.out} (seeds {', '.join(str(s) for s in sorted({r['seed'] for r in rows}))})", file=sys.stderr)


def write_table(path, rows):
    """Writes the rows as CSV through a temporary file, so that the table is never half written."""
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["recipe", "machine", "seed", "epoch", "role", "metric", "value"])
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
