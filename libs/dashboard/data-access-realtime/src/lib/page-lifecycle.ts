import { DOCUMENT } from '@angular/common';
import { InjectionToken, inject } from '@angular/core';
import { Observable, distinctUntilChanged, fromEvent, map, merge, of } from 'rxjs';

/**
 * Whether this page may hold live connections: false from `freeze` (Chrome freezes background
 * tabs) or `pagehide` (closing, or going into the back/forward cache) until `resume`/`pageshow`.
 * A tab that leads its browser's streams gives the lead away when this turns false, so that
 * another tab takes over at once instead of waiting on a frozen one.
 */
export const PAGE_ACTIVE = new InjectionToken<Observable<boolean>>('PAGE_ACTIVE', {
  providedIn: 'root',
  factory: () => {
    const doc = inject(DOCUMENT);
    const win = doc.defaultView;
    if (!win) return of(true);
    return new Observable<boolean>((subscriber) => {
      subscriber.next(true);
      return merge(
        fromEvent(doc, 'freeze').pipe(map(() => false)),
        fromEvent(win, 'pagehide').pipe(map(() => false)),
        fromEvent(doc, 'resume').pipe(map(() => true)),
        fromEvent(win, 'pageshow').pipe(map(() => true)),
      ).subscribe(subscriber);
    }).pipe(distinctUntilChanged());
  },
});

/** `document.visibilityState === 'visible'` now and on every change. */
export const PAGE_VISIBLE = new InjectionToken<Observable<boolean>>('PAGE_VISIBLE', {
  providedIn: 'root',
  factory: () => {
    const doc = inject(DOCUMENT);
    if (!doc.defaultView) return of(true);
    return new Observable<boolean>((subscriber) => {
      subscriber.next(doc.visibilityState !== 'hidden');
      return fromEvent(doc, 'visibilitychange')
        .pipe(map(() => doc.visibilityState !== 'hidden'))
        .subscribe(subscriber);
    }).pipe(distinctUntilChanged());
  },
});
