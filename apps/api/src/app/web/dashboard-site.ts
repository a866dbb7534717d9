import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

import type { NestExpressApplication } from '@nestjs/platform-express';
import compression from 'compression';
import type { NextFunction, Request, Response } from 'express';

/**
 * The placeholder the dashboard's index.html carries as its CSP nonce (`ngCspNonce` on the root
 * element, `nonce` on the inline theme script; the Angular build copies it onto the critical CSS
 * it inlines). Each response replaces it with a fresh random nonce.
 */
export const NONCE_PLACEHOLDER = 'rt-csp-nonce';

/** Angular's output hashing: `main-OT6XBBOH.js`, `chunk-3ESCQMZV.js`, `styles-5HZE7CTX.css`. */
const HASHED = /-[A-Z0-9]{8}\.(js|css|mjs)$/;
const API_PATH = /^\/(api|socket\.io)(\/|$)/;

/**
 * The page's policy: scripts and styles only from this origin or carrying this response's nonce
 * (Angular puts the nonce on the styles it adds at run time), no plugins, no framing, no other
 * origin to talk to.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Serves the production dashboard build from `dir` at `/`, beside `/api` and `/socket.io`:
 * compressed; hashed assets cached for a year (a new build has new names), everything else
 * revalidated; any other path without a file extension gets index.html (the dashboard's routes
 * are client-side), with a fresh CSP nonce and never cached. Returns false when `dir` holds no
 * build (development: the dashboard's dev server serves it).
 */
export function serveDashboard(app: NestExpressApplication, dir: string): boolean {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) return false;
  const page = readFileSync(indexFile, 'utf8');
  const isSite = (req: Request) => !API_PATH.test(req.path);

  // Only the site's files: API answers are small, and a stream must never wait in a compressor.
  app.use(compression({ filter: (req, res) => isSite(req as Request) && compression.filter(req, res) }));
  app.useStaticAssets(dir, {
    index: false,
    redirect: false,
    setHeaders: (res, path) => {
      res.setHeader(
        'Cache-Control',
        HASHED.test(basename(path)) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isSite(req)) return next();
    if (extname(req.path)) {
      res.status(404).json({ statusCode: 404, message: `No file ${req.path}` });
      return;
    }
    const nonce = randomBytes(16).toString('base64');
    res
      .status(200)
      .type('html')
      .set({
        'Cache-Control': 'no-store',
        'Content-Security-Policy': contentSecurityPolicy(nonce),
      })
      .send(page.split(NONCE_PLACEHOLDER).join(nonce));
  });
  return true;
}
