/** Request counters for the control API: requests per path and responses per status. */
export class RequestCounters {
  requests = 0;
  byPath = new Map<string, number>();
  byStatus = new Map<string, number>();

  countRequest(path: string): void {
    this.requests++;
    this.byPath.set(path, (this.byPath.get(path) ?? 0) + 1);
  }

  countStatus(status: number | 'dropped'): void {
    const key = String(status);
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
  }

  reset(): void {
    this.requests = 0;
    this.byPath = new Map();
    this.byStatus = new Map();
  }
}
