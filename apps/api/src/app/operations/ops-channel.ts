import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';

import type { InstancesResponse } from '@realtime/contracts';

import { StreamHub } from '../../common/streams/stream-hub';
import type { StreamEvent, StreamSource } from '../../common/streams/stream-source';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { InstanceStatusService } from './instance-status.service';

/** The event of the ops channel: the whole instance list, at once and after every change. */
export const OPS_INSTANCES_EVENT = 'instances';
/** How long a disconnected client of the ops channel waits before it reconnects. */
export const OPS_RETRY_MS = 3000;
const TOPIC = 'ops';

/**
 * The `ops` channel of `GET /api/stream` (admins only: the controller checks the role): the
 * cluster's instances as InstanceStatusService hears them. A stream gets the current list at
 * once, then an `instances` event with the whole list whenever a record changes or an instance
 * leaves or goes silent. Each change is one event, framed once and written to every stream.
 *
 * Ids are this instance's change times (ms, strictly increasing). The list is small and lives
 * in memory only, so a resume gets a fresh snapshot rather than the changes it missed: the
 * snapshot is the whole state, whatever the cursor (and a cursor from another instance).
 */
@Injectable()
export class OpsChannel implements StreamSource, OnModuleDestroy {
  readonly name = 'ops';
  readonly label = 'operations';
  readonly retryMs = OPS_RETRY_MS;
  private lastId = 0;

  constructor(
    private readonly instances: InstanceStatusService,
    private readonly hub: StreamHub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  maxStreamsPerUser(): number {
    return this.config.maxConnectionsPerUser;
  }

  topics(): string[] {
    return [TOPIC];
  }

  /** One listener on the service however many streams: each change becomes one event. */
  listen(_topic: string, deliver: (event: StreamEvent) => void): () => void {
    return this.instances.onChange((list) => deliver(this.event(list)));
  }

  /**
   * A fresh snapshot, on a first open and on a resume alike, under a new id: the list may have
   * changed unseen while no stream listened, and a later change still gets a higher id.
   */
  opening(): StreamEvent[] {
    return [this.event(this.instances.instances())];
  }

  onModuleDestroy() {
    this.hub.endChannel(this);
  }

  private event(list: InstancesResponse): StreamEvent {
    const id = this.nextId();
    return { id, event: { id: String(id), type: OPS_INSTANCES_EVENT, data: JSON.stringify(list) } };
  }

  private nextId(): number {
    this.lastId = Math.max(this.lastId + 1, Date.now());
    return this.lastId;
  }
}
