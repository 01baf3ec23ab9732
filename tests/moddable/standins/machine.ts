/*
 * The stand-in device's run loop and clock: what every SDK stand-in under this folder runs on.
 * Not an SDK module; tests reach it through control.ts.
 *
 * Follows how a Moddable app is driven on ESP32 (xs/platforms/esp/xsHost.c's message service,
 * modules/base/timer/mc/timer.c): native code never calls into JavaScript from inside a
 * JavaScript call. It posts a message (modMessagePostToMachine) that the run loop delivers later,
 * in order; between messages the loop fires the timers that are due; promise jobs run after
 * each callback. Here:
 * - post(fn) queues a message for the VM at the current instant; after(ms, fn) is the native
 *   side's own time (a radio that associates in 1.5 s, a peer that answers later): at that
 *   instant fn runs natively and usually posts messages.
 * - Timers (timer.ts) live here too, in one list in the order they were set, as modTimerAdd
 *   keeps them: at one instant the due ones fire in list order, and a timer set by a callback
 *   is not eligible in the same pass. A repeating timer's next time is its last plus repeat
 *   (non-drifting).
 * - Time is virtual: it moves only in run(ms) (synchronous: messages and timers in time order)
 *   or advance(ms) (the same, letting promise jobs settle after every callback, for code that
 *   awaits). settle() delivers what is pending now without moving time.
 * - An exception that escapes a callback does not stop the loop; on the device XS reports it
 *   (xsbug) and carries on. It is recorded in `uncaught` so a test can insist there is none.
 * - `faults` records what the real SDK would have punished less visibly (data left unread in a
 *   socket callback, a write on a socket the peer closed): tests insist that stays empty too.
 * Engine-neutral: runs on XS (the device tests) and on Node.
 */

export interface MachineTimer {
  /** The object Timer.set returns (a host object on the device). */
  readonly handle: object;
  trigger: number;
  repeat: number;
  callback: ((handle: object) => void) | undefined;
  /** Set while a pass fires it; a timer added during the pass waits for the next. */
  eligible: boolean;
  unscheduled: boolean;
}

interface NativeEvent {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await undefined;
}

export class Machine {
  #now = 0;
  #seq = 0;
  /** Messages to the VM and native work, in the order they happen (by time, then as queued). */
  #native: NativeEvent[] = [];
  timers: MachineTimer[] = [];
  /** Exceptions that escaped a callback, as "where: message". */
  readonly uncaught: string[] = [];
  /** SDK misuse the device would punish (see above). */
  readonly faults: string[] = [];
  /** trace() output, one entry per call. */
  readonly traced: string[] = [];
  /**
   * SDK calls made before the first resetDevice(), i.e. while the bundle's modules were still
   * loading: on the device modules are preloaded at build time, where calling a native fails
   * the build, so this must stay empty (the boot test checks it).
   */
  readonly callsAtLoad: string[] = [];
  loading = true;
  /** Promise turns let run after each callback in advance(). */
  settleTurns = 30;

  /** Milliseconds of virtual time since the machine was made. */
  get now(): number {
    return this.#now;
  }

  /** Every stand-in calls this on entry to an SDK native. */
  native(name: string): void {
    if (this.loading) this.callsAtLoad.push(name);
  }

  /** Back to power-on: time 0, nothing queued, no timers, nothing recorded. */
  reset(): void {
    this.loading = false;
    this.#now = 0;
    this.#native = [];
    this.timers = [];
    this.uncaught.length = 0;
    this.faults.length = 0;
    this.traced.length = 0;
  }

  /** A message to the VM, delivered by the loop after the current callback, in order. */
  post(deliver: () => void): void {
    this.#native.push({ at: this.#now, seq: ++this.#seq, run: deliver });
  }

  /** Native work `ms` from now (the radio, a remote peer); returns a cancel function. */
  after(ms: number, run: () => void): () => void {
    const event: NativeEvent = { at: this.#now + Math.max(0, ms), seq: ++this.#seq, run };
    this.#native.push(event);
    return () => {
      this.#native = this.#native.filter((e) => e !== event);
    };
  }

  /** Adds a timer the way modTimerAdd does: at the end of the list. */
  addTimer(timer: MachineTimer): void {
    this.timers.push(timer);
  }

  removeTimer(handle: object): void {
    this.timers = this.timers.filter((t) => t.handle !== handle);
  }

  /** Runs a VM callback; what escapes it is recorded, as XS would report it. */
  call(where: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.uncaught.push(`${where}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  }

  fault(text: string): void {
    this.faults.push(text);
  }

  /** One step: what was queued for now (messages and native work, in order), else due timers. */
  #step(end: number): "event" | "timers" | "moved" | "idle" {
    const nextNative = this.#nextNative();
    if (nextNative && nextNative.at <= this.#now) {
      this.#native = this.#native.filter((e) => e !== nextNative);
      nextNative.run();
      return "event";
    }
    const nextTimer = this.#nextTimer();
    const next = Math.min(nextNative?.at ?? Infinity, nextTimer ?? Infinity);
    if (next > end) return "idle";
    if (next > this.#now) {
      this.#now = next;
      return "moved";
    }
    this.#fireTimers();
    return "timers";
  }

  #nextNative(): NativeEvent | undefined {
    let best: NativeEvent | undefined;
    for (const e of this.#native) if (!best || e.at < best.at || (e.at === best.at && e.seq < best.seq)) best = e;
    return best;
  }

  #nextTimer(): number | undefined {
    let best: number | undefined;
    for (const t of this.timers) if (!t.unscheduled && (best === undefined || t.trigger < best)) best = t.trigger;
    return best;
  }

  /** modTimersExecute: mark the due ones first, then fire them in list order. */
  #fireTimers(): void {
    const now = this.#now;
    for (const t of this.timers) t.eligible = !t.unscheduled && t.trigger <= now;
    for (const t of this.timers.slice()) {
      if (!t.eligible || !this.timers.includes(t)) continue;
      t.eligible = false;
      t.trigger += t.repeat;
      const callback = t.callback;
      if (!t.repeat) this.removeTimer(t.handle);
      if (callback) this.call("timer callback", () => callback(t.handle));
    }
  }

  /** Time passes with nothing run (Timer.delay busy-waits): what falls due runs afterwards. */
  skip(ms: number): void {
    this.#now += ms;
  }

  /** Moves time forward by ms synchronously, delivering and firing everything due on the way. */
  run(ms: number): void {
    const end = this.#now + Math.max(0, ms);
    for (let guard = 0; ; guard++) {
      if (guard > 1_000_000) throw new Error("the stand-in machine is spinning (a repeat-0 loop?)");
      if (this.#step(end) === "idle") break;
    }
    this.#now = end;
  }

  /** Delivers what is due now, letting promise jobs run between callbacks; time stands still. */
  async settle(): Promise<void> {
    await this.advance(0);
  }

  /** Like run(ms), letting promise jobs settle after every callback (code that awaits). */
  async advance(ms: number): Promise<void> {
    const end = this.#now + Math.max(0, ms);
    await turns(this.settleTurns);
    for (let guard = 0; ; guard++) {
      if (guard > 1_000_000) throw new Error("the stand-in machine is spinning (a repeat-0 loop?)");
      const step = this.#step(end);
      if (step === "idle") break;
      if (step !== "moved") await turns(this.settleTurns);
    }
    this.#now = end;
  }

  /** Runs in steps of stepMs until condition() holds, for at most limitMs; false if it never did. */
  async until(condition: () => boolean, limitMs: number, stepMs = 10): Promise<boolean> {
    for (let waited = 0; ; waited += stepMs) {
      await this.settle();
      if (condition()) return true;
      if (waited >= limitMs) return false;
      await this.advance(stepMs);
    }
  }
}

/** The one machine of the bundle: the SDK's modules are singletons on the device too. */
export const machine = new Machine();
