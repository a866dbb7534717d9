export const ANNOTATION_TEXT_MAX = 500;
/** Kinds are free words (`deploy`, `incident`, …); alerts use `alert-firing` and `alert-resolved`. */
export const ANNOTATION_KIND_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** `POST /api/annotations`. */
export interface CreateAnnotationRequest {
  text: string;
  /** Default `note`. */
  kind?: string;
  /** When it happened: ISO 8601 or epoch ms; default now. Within the history's retention. */
  time?: string | number;
}

/** A mark on the charts' time axis: a deploy, an alert firing or resolving, a note. */
export interface Annotation {
  id: number;
  /** Epoch ms: where on the time axis. */
  time: number;
  kind: string;
  text: string;
  /** Who made it: a user (or the owner of the API key used), or the system (alerts). */
  createdBy: { id: number; username: string } | { system: true };
  /** Set on the annotations of an alert. */
  ruleId?: number;
  /** ISO 8601. */
  createdAt: string;
}
