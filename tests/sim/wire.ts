/**
 * The simulated network between the devices and the in-process app, beneath each device's
 * FaultyFetch (tests/fixtures/faults.ts: offline, dropped requests and answers, 5xx). It adds the
 * faults that need more than one request at a time:
 *
 * | mode (next push of a device) | the server sees                               | the client gets        |
 * |------------------------------|-----------------------------------------------|------------------------|
 * | dup-seq                      | the request twice, one after the other        | the second answer      |
 * | dup-conc                     | the request twice, at the same time           | one of the two answers |
 * | hold                         | nothing now; the request later (`deliverHeld`) | a network error        |
 *
 * and server restarts: `armRestart(n)` restarts the server while the n-th request from now is
 * being handled; every request in flight at that moment (that one included) loses its answer.
 */
import type { FetchFn } from "../fixtures/faults";

export type WireMode = "dup-seq" | "dup-conc" | "hold";

interface InFlight {
  dropped: boolean;
}

const networkError = () => new TypeError("Failed to fetch");

export interface WireStats {
  delivered: number;
  duplicated: number;
  held: number;
  heldDelivered: number;
  restarts: number;
  answersLostInRestart: number;
}

export class SimWire {
  readonly stats: WireStats = { delivered: 0, duplicated: 0, held: 0, heldDelivered: 0, restarts: 0, answersLostInRestart: 0 };
  private readonly inflight = new Set<InFlight>();
  private held: Request[] = [];
  private restartIn: number | null = null;

  constructor(
    private readonly app: FetchFn,
    private readonly restartServer: () => Promise<void>,
    /** Picks which of two concurrent answers the client gets (seeded). */
    private readonly coin: () => boolean,
  ) {}

  /** Restarts the server while the n-th request from now (1 = the next) is being handled. */
  armRestart(n: number): void {
    this.restartIn = Math.max(1, n);
  }

  disarm(): void {
    this.restartIn = null;
  }

  heldCount(): number {
    return this.held.length;
  }

  /** Delivers held requests late (after the client's own retries): their answers reach nobody. */
  async deliverHeld(count = Number.POSITIVE_INFINITY): Promise<void> {
    const now = this.held.splice(0, Math.min(count, this.held.length));
    for (const request of now) {
      this.stats.heldDelivered++;
      await this.deliver(request)
        .then((r) => r.body?.cancel())
        .catch(() => undefined);
    }
  }

  /** The fetch one device's FaultyFetch forwards to; `takeMode` yields the mode armed for its next push. */
  endpoint(takeMode: () => WireMode | null): FetchFn {
    return async (input, init) => {
      const request = new Request(input, init);
      const isPush = new URL(request.url).pathname.endsWith("/api/sync/push");
      const mode = isPush ? takeMode() : null;
      switch (mode) {
        case "hold":
          this.stats.held++;
          this.held.push(request.clone());
          throw networkError();
        case "dup-seq": {
          this.stats.duplicated++;
          const copy = request.clone();
          await this.deliver(request)
            .then((r) => r.body?.cancel())
            .catch(() => undefined);
          return this.deliver(copy);
        }
        case "dup-conc": {
          this.stats.duplicated++;
          const copy = request.clone();
          const [a, b] = await Promise.allSettled([this.deliver(request), this.deliver(copy)]);
          const [kept, other] = this.coin() ? [a, b] : [b, a];
          if (other.status === "fulfilled") await other.value.body?.cancel();
          if (kept.status === "rejected") throw kept.reason;
          return kept.value;
        }
        default:
          return this.deliver(request);
      }
    };
  }

  private async deliver(request: Request): Promise<Response> {
    const flight: InFlight = { dropped: false };
    this.inflight.add(flight);
    this.stats.delivered++;
    try {
      const answer = this.app(request);
      if (this.restartIn !== null && --this.restartIn === 0) {
        this.restartIn = null;
        await this.restart();
      }
      const response = await answer.catch(() => {
        // The server died under the request (its connection was terminated): no answer arrives.
        flight.dropped = true;
        return null;
      });
      if (flight.dropped || !response) {
        await response?.body?.cancel();
        throw networkError();
      }
      return response;
    } finally {
      this.inflight.delete(flight);
    }
  }

  private async restart(): Promise<void> {
    this.stats.restarts++;
    for (const flight of this.inflight) {
      flight.dropped = true;
      this.stats.answersLostInRestart++;
    }
    await this.restartServer();
  }
}
