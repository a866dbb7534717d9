import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'isPublic';
/** Opens a route to callers without a token (login, health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export const STREAM_AUTH = 'streamAuth';
/**
 * Lets a GET stream also authenticate with the HttpOnly stream cookie set at login, so a
 * browser's EventSource (which cannot send headers) needs no credential in its URL. Only
 * stream reads accept the cookie: no state-changing request does, which keeps CSRF out.
 */
export const StreamAuth = () => SetMetadata(STREAM_AUTH, true);
