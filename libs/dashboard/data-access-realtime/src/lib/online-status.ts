import { DOCUMENT } from '@angular/common';
import { InjectionToken, inject } from '@angular/core';
import { Observable, distinctUntilChanged, fromEvent, map, merge, of } from 'rxjs';

/** `navigator.onLine` now and on every change; tests provide a Subject. */
export const ONLINE_STATUS = new InjectionToken<Observable<boolean>>('ONLINE_STATUS', {
  providedIn: 'root',
  factory: () => {
    const win = inject(DOCUMENT).defaultView;
    if (!win) return of(true);
    return new Observable<boolean>((subscriber) => {
      subscriber.next(win.navigator.onLine);
      return merge(
        fromEvent(win, 'online').pipe(map(() => true)),
        fromEvent(win, 'offline').pipe(map(() => false)),
      ).subscribe(subscriber);
    }).pipe(distinctUntilChanged());
  },
});
