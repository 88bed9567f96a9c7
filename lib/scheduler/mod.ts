/**
 * Running a sweep as shards on a cluster: the submission plan, Slurm (an array job plus a merge job, waiting for
 * them) and Kubernetes (an Indexed Job), with shell quoting for the generated scripts.
 * @module
 */
export { K8S_DEFAULTS } from "./k8s.ts";
export { checkK8sJobName, MAX_SHARDS } from "./plan.ts";
export { waitForJobs } from "./slurm.ts";
export {
  checkSubmitInputs,
  defaultSweepOut,
  parseScheduler,
  parseSweepTask,
  type SubmitRequest,
  type SubmitResult,
  submitSweep,
} from "./submit.ts";
