import type { InstancesResponse, LoginResponse } from '@realtime/contracts';
import { ApiProcess, type RawSse, login } from '@realtime/test-support';

import { openStream as openDashboard } from '../dashboard/dashboard-support';
import { openCombined } from './combined-support';

const instancesOf = (s: RawSse) =>
  s.events.filter((e) => e.event === 'instances').map((e) => JSON.parse(e.data) as InstancesResponse);

/**
 * The `ops` channel of `GET /api/stream`: the cluster's instances for admins, live (the
 * operations page's feed). A snapshot at once, then one `instances` event per change.
 */
describe('ops channel (GET /api/stream?channels=ops)', () => {
  let api: ApiProcess;
  let alice: LoginResponse;
  let carol: LoginResponse;
  const open: RawSse[] = [];
  const track = (s: RawSse) => (open.push(s), s);

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: { INSTANCE_STATUS_MS: '300', HEARTBEAT_MS: '1000', SIMULATOR: 'false' },
    });
    [alice, carol] = await Promise.all([login(api, 'alice'), login(api, 'carol')]);
  });
  afterEach(() => open.splice(0).forEach((s) => s.close()));
  afterAll(() => api?.dispose());

  it('sends an admin the instance list at once, then the list again when a record changes', async () => {
    const s = track(await openCombined(api, alice.accessToken, {}, '?channels=ops'));
    expect(s.status).toBe(200);
    await s.waitForEvents('instances');
    const [snapshot] = instancesOf(s);
    expect(snapshot.instances.map((i) => i.instanceId)).toEqual([snapshot.self]);
    expect(snapshot.instances[0].connections.dashboard).toBe(0);

    // A dashboard stream opens: the instance's next record differs, and the stream hears it.
    track(await openDashboard(api, alice.accessToken));
    const changed = await s.until(
      (x) => instancesOf(x).find((l) => l.instances[0]?.connections.dashboard === 1),
      10_000,
      'a record with the dashboard stream',
    );
    expect(changed.self).toBe(snapshot.self);
    // Ids only go up; a stream of one channel keeps plain ids.
    const ids = s.events.filter((e) => e.event === 'instances').map((e) => Number(e.id));
    expect(ids.every((id, i) => Number.isInteger(id) && (i === 0 || id > ids[i - 1]))).toBe(true);

    // A resume gets a fresh snapshot, with the current state.
    const resumed = track(
      await openCombined(api, alice.accessToken, { 'last-event-id': String(ids[0]) }, '?channels=ops'),
    );
    await resumed.waitForEvents('instances');
    expect(instancesOf(resumed)[0].instances[0].connections.dashboard).toBe(1);
  });

  it('carries ops with the other channels under combined ids', async () => {
    const s = track(await openCombined(api, alice.accessToken, {}, '?channels=notifications,ops'));
    await s.waitForEvents('instances');
    await s.waitForEvents('connected');
    expect(s.events.find((e) => e.event === 'instances')!.id).toMatch(/(^|,)ops:\d+/);
  });

  it('refuses a viewer who names ops with a 403 naming the role; her default stream has no ops', async () => {
    const refused = track(await openCombined(api, carol.accessToken, {}, '?channels=dashboard,ops'));
    await refused.until((x) => x.closed || undefined, 5000, 'the answer');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ statusCode: 403, requiredRole: 'admin' });

    const plain = track(await openCombined(api, carol.accessToken, {}, ''));
    expect(plain.status).toBe(200);
    await plain.waitForEvents('connected');
    await plain.waitForEvents('metrics');
    expect(plain.events.some((e) => e.event === 'instances')).toBe(false);
  });
});
