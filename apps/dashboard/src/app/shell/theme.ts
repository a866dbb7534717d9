import { DOCUMENT } from '@angular/common';
import { Injectable, effect, inject, signal } from '@angular/core';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'rt.theme';
const ORDER: ThemeChoice[] = ['system', 'light', 'dark'];

/** Light, dark or the system's choice (prefers-color-scheme), remembered in localStorage. */
@Injectable({ providedIn: 'root' })
export class Theme {
  private readonly doc = inject(DOCUMENT);
  readonly choice = signal<ThemeChoice>(this.read());

  constructor() {
    effect(() => {
      const choice = this.choice();
      const root = this.doc.documentElement;
      if (choice === 'system') root.removeAttribute('data-theme');
      else root.setAttribute('data-theme', choice);
      try {
        localStorage.setItem(KEY, choice);
      } catch {
        // storage disabled: the choice lasts for this page
      }
    });
  }

  next(): void {
    this.choice.update((c) => ORDER[(ORDER.indexOf(c) + 1) % ORDER.length]);
  }

  private read(): ThemeChoice {
    try {
      const v = localStorage.getItem(KEY) as ThemeChoice | null;
      return v && ORDER.includes(v) ? v : 'system';
    } catch {
      return 'system';
    }
  }
}
