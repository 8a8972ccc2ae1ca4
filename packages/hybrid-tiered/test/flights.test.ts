/** The fill race rules: a remote answer may fill the local tier only if nothing changed meanwhile. */
import { describe, expect, it } from 'vitest';
import { FlightTable } from '../src/flights.js';

describe('FlightTable', () => {
  it('a flight with no change in between may fill, in the epoch it started in', () => {
    const flights = new FlightTable();
    const f = flights.begin('k', 3);
    expect(flights.end(f, 3)).toBe(true);
  });

  it('an invalidation (or own write) of the key while in flight forbids the fill', () => {
    const flights = new FlightTable();
    const f = flights.begin('k', 3);
    const other = flights.begin('other', 3);
    flights.changed('k');
    expect(flights.end(f, 3)).toBe(false);
    expect(flights.end(other, 3)).toBe(true);
  });

  it('a change before the flight began does not concern it', () => {
    const flights = new FlightTable();
    flights.changed('k');
    const f = flights.begin('k', 3);
    expect(flights.end(f, 3)).toBe(true);
  });

  it('every concurrent flight of the key is marked, and a flush marks them all', () => {
    const flights = new FlightTable();
    const a = flights.begin('k', 1);
    const b = flights.begin('k', 1);
    flights.changed('k');
    expect([flights.end(a, 1), flights.end(b, 1)]).toEqual([false, false]);
    const c = flights.begin('x', 1);
    const d = flights.begin('y', 1);
    flights.changedAll();
    expect([flights.end(c, 1), flights.end(d, 1)]).toEqual([false, false]);
  });

  it('a flight that started untrusted (-1), or whose epoch ended (tracking lost), never fills', () => {
    const flights = new FlightTable();
    expect(flights.end(flights.begin('k', -1), -1)).toBe(false);
    expect(flights.end(flights.begin('k', 1), 2)).toBe(false);
  });
});
