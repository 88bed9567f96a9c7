/**
 * Kubernetes: a sharded sweep as an Indexed Job (`completionMode: Indexed`, one pod per shard, its
 * `JOB_COMPLETION_INDEX` picks the shard) and a merge Job, written as YAML for `kubectl apply` (never applied here).
 * Results live on a PersistentVolumeClaim mounted at `/results`, so every pod and the merge see the same folder.
 * @module
 */
import { stringify } from "yaml";
import { basename, join } from "../util/mod.ts";
import { jobsDir, type SubmitPlan } from "./plan.ts";
import { shQuote } from "./shell.ts";

/** Where the pods run: image, project folder inside it, and the results volume. */
export interface K8sEnvironment {
  /** An image holding the project (deno.json, lib/, models/) at `workdir`, with `deno` on the PATH. */
  image: string;
  /** The project folder inside the image. */
  workdir: string;
  /** The PersistentVolumeClaim (ReadWriteMany) that holds the results. */
  pvc: string;
  /** Where the claim is mounted in every pod. */
  mountPath: string;
  /** Namespace written into the manifests, or none (kubectl's current one). */
  namespace?: string;
  date?: string;
}

/** Defaults of {@link K8sEnvironment} (an image you build from the project, a claim named `ppad-results`). */
export const K8S_DEFAULTS: K8sEnvironment = {
  image: "ppad:latest",
  workdir: "/app",
  pvc: "ppad-results",
  mountPath: "/results",
};

/** The two manifests and where they go. */
export interface K8sManifests {
  shardsPath: string;
  mergePath: string;
  /** The sweep folder inside the pods. */
  podOut: string;
  shards: string;
  merge: string;
  /** The Job objects, for tests and callers that apply them with a client. */
  objects: { shards: Record<string, unknown>; merge: Record<string, unknown> };
}

/** Plain YAML: no anchors for repeated objects (the labels), no folded long lines (the commands). */
const YAML_OPTIONS = { aliasDuplicateObjects: false, lineWidth: 0 } as const;

function podSpec(env: K8sEnvironment, name: string, script: string): Record<string, unknown> {
  return {
    restartPolicy: "Never",
    containers: [{
      name,
      image: env.image,
      workingDir: env.workdir,
      command: ["/bin/sh", "-c", script],
      volumeMounts: [{ name: "results", mountPath: env.mountPath }],
    }],
    volumes: [{ name: "results", persistentVolumeClaim: { claimName: env.pvc } }],
  };
}

/**
 * Renders the Indexed Job (completions = parallelism = the number of shards run) and the merge Job. On a
 * resubmission of some shards, completion index k runs the k-th of them (listed in the pod's `SHARDS`).
 */
export function renderK8sManifests(plan: SubmitPlan, env: K8sEnvironment): K8sManifests {
  const podOut = join(env.mountPath, basename(plan.out));
  const n = plan.shards, count = plan.run.length;
  const all = count === n;
  const labels = { app: "ppad", "ppad/sweep": plan.name };
  const meta = (suffix: string) => ({
    name: `${plan.name}-${suffix}`,
    ...(env.namespace ? { namespace: env.namespace } : {}),
    labels,
  });
  const sweep = ["deno", "task", plan.task, ...plan.sweepArgs].map(shQuote).join(" ");
  const pick = all ? 'i="$JOB_COMPLETION_INDEX"' : 'set -- $SHARDS; shift "$JOB_COMPLETION_INDEX"; i="$1"'; // the k-th of the resubmitted shards
  const shardScript = `set -eu; ${pick}; exec ${sweep} --shard "$i/${n}" --out ${shQuote(podOut)}/shards/shard-"$i"`;
  const shardPod = podSpec(env, "shard", shardScript);
  if (!all) {
    (shardPod.containers as Record<string, unknown>[])[0].env = [{ name: "SHARDS", value: plan.run.join(" ") }];
  }
  const shards = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta("shards"),
    spec: {
      completionMode: "Indexed",
      completions: count,
      parallelism: count,
      backoffLimit: count,
      template: { metadata: { labels }, spec: shardPod },
    },
  };
  const dirs = [...Array(n).keys()].map((i) => `${podOut}/shards/shard-${i}`);
  const mergeCmd = ["deno", "task", "merge", "--out", podOut, ...dirs].map(shQuote).join(" ");
  const report = plan.task === "reproduce" && plan.reportDataset
    ? ` && ${
      ["deno", "task", "reproduce", "--dataset", plan.reportDataset, "--out", podOut, "--report-only"].map(shQuote)
        .join(" ")
    }`
    : "";
  const merge = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta("merge"),
    spec: { backoffLimit: 0, template: { metadata: { labels }, spec: podSpec(env, "merge", mergeCmd + report) } },
  };
  const date = env.date ?? new Date().toISOString();
  const head = (lines: string[]) => lines.map((l) => `# ${l}`.trimEnd()).join("\n") + "\n";
  const dir = jobsDir(plan.out);
  const shardsPath = join(dir, "shards.yaml"), mergePath = join(dir, "merge.yaml");
  return {
    shardsPath,
    mergePath,
    podOut,
    objects: { shards, merge },
    shards: head([
      `Sharded sweep \`deno task ${plan.task}\` as a Kubernetes Indexed Job; written by \`deno task submit\` on ${date}.`,
      `${count} pods${all ? "" : ` (shards ${plan.run.join(", ")} of ${n}, resubmitted)`}: pod k runs ` +
      `\`--shard i/${n}\` with i = ${all ? "JOB_COMPLETION_INDEX" : "the k-th of $SHARDS"}, writing`,
      `${podOut}/shards/shard-<i> on the claim ${env.pvc} (ReadWriteMany), mounted at ${env.mountPath}.`,
      `The image ${env.image} must hold the project at ${env.workdir} with deno on the PATH (see docs/cluster.md).`,
      "",
      `Apply: kubectl apply -f ${shardsPath}`,
      `Then:  kubectl wait --for=condition=complete --timeout=24h job/${plan.name}-shards && \\`,
      `         kubectl apply -f ${mergePath}`,
      `Failed indexes: kubectl describe job/${plan.name}-shards; resubmit them with`,
      `  deno task submit --scheduler k8s --shards ${n} <the same sweep flags> --only-shards 1,3`,
    ]) + "---\n" + stringify(shards, YAML_OPTIONS),
    merge: head([
      `Merges the ${n} shards into ${podOut}; written by \`deno task submit\` on ${date}.`,
      `Apply it once every shard succeeded (kubectl wait … job/${plan.name}-shards); deno task merge refuses, naming`,
      "them, when shards are missing or unfinished. Delete an earlier merge Job before applying it again (Job specs",
      "are immutable).",
    ]) + "---\n" + stringify(merge, YAML_OPTIONS),
  };
}
