import type { Server } from 'node:http';

import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Requests being answered right now, so that a shutdown lets them finish (stored and
 * answered) before the listener and the remaining connections close: requests already sent
 * when the signal came (in flight, in the socket buffers, or on connections still in the
 * accept backlog) are served, and the server closes once it is quiet. One per application
 * (LifecycleModule): the HTTP app counts into it, the ShutdownService drains it.
 */
@Injectable()
export class InFlightRequests {
  private count = 0;
  /** Requests and connections seen so far: the drain waits until neither moves. */
  private activity = 0;
  private waiters: Array<() => void> = [];

  get size(): number {
    return this.count;
  }

  attach(server: Server) {
    server.on('connection', () => this.activity++);
  }

  readonly middleware = (_req: Request, res: Response, next: NextFunction) => {
    this.count++;
    this.activity++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.count--;
      if (this.count === 0) this.wake();
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };

  /**
   * Resolves once no request is in flight and nothing new (connection or request) came in
   * over two turns of the event loop, in which bytes already received get accepted, read and
   * parsed; or after `timeoutMs`, whatever is still going on.
   */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.count > 0) await this.idle(deadline - Date.now());
      const activity = this.activity;
      await nextTurn();
      await nextTurn();
      if (this.count === 0 && this.activity === activity) return;
    }
  }

  private idle(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, timeoutMs));
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }
}
