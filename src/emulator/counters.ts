/** Request counters for the control API: requests per path and per method, responses per status. */
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
