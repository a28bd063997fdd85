/**
 * What the control API reports about the emulator (`EmulatorStats`), and the request counters in it:
 * requests per path and per method, responses per status.
 */
export class RequestCounters {
  requests = 0;
  byPath = new Map<string, number>();
  /** Per method: tests prove a dry run sent no `PUT`/`POST`/`DELETE` at all. */
  byMethod = new Map<string, number>();
  byStatus = new Map<string, number>();

  countRequest(path: string, method: string): void {
    this.requests++;
    this.byPath.set(path, (this.byPath.get(path) ?? 0) + 1);
    this.byMethod.set(method, (this.byMethod.get(method) ?? 0) + 1);
  }

  countStatus(status: number | 'dropped'): void {
    const key = String(status);
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
  }

  reset(): void {
    this.requests = 0;
    this.byPath = new Map();
    this.byMethod = new Map();
    this.byStatus = new Map();
  }
}

/** The control API's statistics (`GET /__emulator/stats`). */
export interface EmulatorStats {
  /** API requests received (control requests excluded). */
  requests: number;
  /** API requests per path (without query). */
  byPath: Record<string, number>;
  /** API requests per HTTP method. */
  byMethod: Record<string, number>;
  /** API responses per HTTP status (`dropped` for cut connections). */
  byStatus: Record<string, number>;
  /** Events currently stored. */
  events: number;
  /** Events appended since start (live, control API, logins). */
  appended: number;
  /** Events removed by retention or purge since start. */
  purged: number;
  newestId: number;
  newestDate?: string;
  oldestDate?: string;
  /** Approximate memory held by the event columns. */
  storeBytes: number;
  /** Time taken to generate the initial data. */
  generationMs: number;
}
