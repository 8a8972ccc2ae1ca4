/**
 * Remote operations in flight, per key. A read that went to Redis may fill the local tier only if
 * nothing changed the key while it was away: an invalidation arrives on another socket than the
 * reply, so it can be processed before a reply that predates it, and this client's own writes
 * produce no invalidation at all (NOLOOP). Whoever learns of a change marks every flight of that
 * key dirty; a dirty flight drops the local entry instead of writing it.
 */
export interface Flight {
  readonly key: string;
  /** The tracking epoch the flight started in, or -1 if the local tier was not trusted then. */
  readonly epoch: number;
  dirty: boolean;
}

export class FlightTable {
  #byKey = new Map<string, Set<Flight>>();

  begin(key: string, epoch: number): Flight {
    const flight: Flight = { key, epoch, dirty: false };
    let set = this.#byKey.get(key);
    if (!set) this.#byKey.set(key, (set = new Set()));
    set.add(flight);
    return flight;
  }

  /** Ends the flight; true when it may write its result into the local tier in `epoch`. */
  end(flight: Flight, epoch: number): boolean {
    const set = this.#byKey.get(flight.key);
    set?.delete(flight);
    if (set?.size === 0) this.#byKey.delete(flight.key);
    return !flight.dirty && flight.epoch !== -1 && flight.epoch === epoch;
  }

  /** `key` changed: no flight of it started before now may fill the local tier. */
  changed(key: string): void {
    const set = this.#byKey.get(key);
    if (set) for (const f of set) f.dirty = true;
  }

  /** Everything changed (the database was flushed). */
  changedAll(): void {
    for (const set of this.#byKey.values()) for (const f of set) f.dirty = true;
  }
}
