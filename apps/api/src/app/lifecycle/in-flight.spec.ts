import { EventEmitter } from 'node:events';

import type { NextFunction, Request, Response } from 'express';

import { InFlightRequests } from './in-flight';

/** A response that can be finished by hand. */
function response() {
  return new EventEmitter() as unknown as Response & EventEmitter;
}

describe('InFlightRequests', () => {
  it('counts requests until they finish or close, once each', () => {
    const inFlight = new InFlightRequests();
    const next = jest.fn() as NextFunction;
    const a = response();
    const b = response();
    inFlight.middleware({} as Request, a, next);
    inFlight.middleware({} as Request, b, next);
    expect(next).toHaveBeenCalledTimes(2);
    expect(inFlight.size).toBe(2);
    a.emit('finish');
    a.emit('close');
    expect(inFlight.size).toBe(1);
    b.emit('close');
    expect(inFlight.size).toBe(0);
  });

  it('drains: resolves once the requests in flight are done and nothing new came in', async () => {
    const inFlight = new InFlightRequests();
    const res = response();
    inFlight.middleware({} as Request, res, jest.fn());
    let drained = false;
    const done = inFlight.drain(10_000).then(() => (drained = true));
    await new Promise((r) => setImmediate(r));
    expect(drained).toBe(false);
    // A request read while draining is served and waited for too.
    const late = response();
    inFlight.middleware({} as Request, late, jest.fn());
    res.emit('finish');
    await new Promise((r) => setImmediate(r));
    expect(drained).toBe(false);
    late.emit('finish');
    await done;
    expect(inFlight.size).toBe(0);
  });

  it('drains at once when idle, and gives up at the deadline', async () => {
    const idle = new InFlightRequests();
    await idle.drain(10_000);
    const stuck = new InFlightRequests();
    stuck.middleware({} as Request, response(), jest.fn());
    await stuck.drain(20);
    expect(stuck.size).toBe(1);
  });
});
