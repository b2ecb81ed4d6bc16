import type { TreeActivity } from '../process/proc-sampler.js';

/** What the CPU and I/O of a task's processes amount to at one sample. */
export interface ActivityJudgement {
  /** Real work: enough CPU over the window, and CPU used in this sample. */
  cpu: boolean;
  /** Real work: enough I/O (beyond small calls) over the window, and some in this sample. */
  io: boolean;
  /** CPU or I/O happened in this sample but too little to count: idle wake-ups, a stray tick. */
  idle: boolean;
  /** Share of one core over the window (0.05 = 5%). */
  cpuShare: number;
  /** Counted I/O over the window, bytes per second. */
  ioRate: number;
}

interface Sample {
  at: number;
  cpuMs: number;
  usefulIoBytes: number;
}

/**
 * CPU and I/O judged as rates over a sliding window rather than sample by sample, so that the verdict does
 * not depend on how often /proc is read: a process that wakes for a timer now and then, writes a few bytes
 * a second or spends one clock tick in a while stays below the thresholds however the samples fall, while
 * a compile or a download passes within a fraction of the window. The window never holds more than
 * `windowMs / shortest sample interval` samples, and samples older than the window are dropped.
 */
export class ActivityWindow {
  private readonly samples: Sample[] = [];
  private cpuMs = 0;
  private usefulIoBytes = 0;

  constructor(
    private readonly windowMs: number,
    private readonly minCpuShare: number,
    private readonly minIoBytesPerSecond: number,
  ) {}

  /** `at` is the task's active time in ms; `activity` is what happened since the previous sample. */
  add(activity: TreeActivity, at: number): ActivityJudgement {
    const usefulIoBytes = activity.usefulIoBytes ?? activity.ioBytes;
    this.samples.push({ at, cpuMs: activity.cpuMs, usefulIoBytes });
    this.cpuMs += activity.cpuMs;
    this.usefulIoBytes += usefulIoBytes;
    while (this.samples.length > 1 && this.samples[0]!.at <= at - this.windowMs) {
      const old = this.samples.shift()!;
      this.cpuMs -= old.cpuMs;
      this.usefulIoBytes -= old.usefulIoBytes;
    }
    // Shortly after the start the window is as long as the task has run, so a busy process counts at once.
    const spanMs = Math.max(1, Math.min(this.windowMs, at));
    const cpuShare = this.cpuMs / spanMs;
    const ioRate = (this.usefulIoBytes * 1000) / spanMs;
    const cpu = activity.cpuMs > 0 && cpuShare >= this.minCpuShare;
    const io = usefulIoBytes > 0 && ioRate >= this.minIoBytesPerSecond;
    const idle = !cpu && !io && (activity.cpuMs > 0 || activity.ioBytes > 0);
    return { cpu, io, idle, cpuShare, ioRate };
  }
}
