import 'jest-canvas-mock';
import { setupZonelessTestEnv } from 'jest-preset-angular/setup-env/zoneless';

setupZonelessTestEnv({
  errorOnUnknownElements: true,
  errorOnUnknownProperties: true,
});

// jsdom has no ResizeObserver; Chart.js only needs it to follow the container's size.
if (!('ResizeObserver' in globalThis)) {
  (globalThis as { ResizeObserver?: unknown }).ResizeObserver = class {
    observe(): void {
      // nothing to watch in jsdom
    }
    unobserve(): void {
      // nothing to release
    }
    disconnect(): void {
      // nothing to release
    }
  };
}
