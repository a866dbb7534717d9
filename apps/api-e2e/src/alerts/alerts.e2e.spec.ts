import type { Annotation, DashboardHistoryRangeResponse, LoginResponse } from '@realtime/contracts';
import { ApiProcess, type RawSse, login, request } from '@realtime/test-support';

import { eventually, openStream } from '../dashboard/dashboard-support';
import { sql } from '../reliability/support';
import { alertHistory, alertTitles, createRule, moreTicks, placeOrder, updateRule } from './alerts-support';

const annotationsOf = (s: RawSse) =>
  s.events.filter((e) => e.event === 'annotation').map((e) => JSON.parse(e.data) as Annotation);

describe('alert rules and annotations (one instance)', () => {
  let api: ApiProcess;
  let alice: LoginResponse;
  let bob: LoginResponse;
  let carol: LoginResponse;
  const open: RawSse[] = [];
  const track = (s: RawSse) => (open.push(s), s);

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: { DASHBOARD_TICK_MS: '100', SIMULATOR: 'false', EVENT_LOOP_DELAY_MS_THRESHOLD: '5000' },
    });
    [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((u) => login(api, u)));
  });
  afterEach(() => open.splice(0).forEach((s) => s.close()));
  afterAll(() => api.dispose());

  it('refuses a bad rule with a 400 naming the field', async () => {
    const good = {
      name: 'no orders',
      metric: 'ordersPerMinute',
      condition: 'below',
      threshold: 2,
      durationSeconds: 300,
      recipients: { users: [bob.user.id] },
    };
    const cases: Array<[object, RegExp]> = [
      [{ ...good, metric: 'cpu' }, /^metric: must be one of activeUsers, ordersPerMinute/],
      [{ ...good, threshold: 'two' }, /^threshold: must be a number/],
      [{ ...good, threshold: undefined }, /^threshold: required with below/],
      [{ ...good, recipients: {} }, /^recipients: name at least one user or role/],
      [{ ...good, recipients: { users: [], roles: [] } }, /^recipients: name at least one user or role/],
      [{ ...good, recipients: undefined }, /^recipients: /],
      [{ ...good, recipients: { roles: ['king'] } }, /^recipients\.roles\.0: /],
      [{ ...good, recipients: { users: ['nobody-here'] } }, /^recipients\.users\.0: no user "nobody-here"/],
      [{ ...good, condition: 'sideways' }, /^condition: must be one of above, below, not-operational/],
      [{ ...good, condition: 'not-operational' }, /condition: ordersPerMinute takes above or below/],
      [{ ...good, metric: 'systemStatus' }, /^condition: systemStatus takes not-operational/],
      [{ ...good, durationSeconds: -1 }, /^durationSeconds: must be at least 0/],
      [{ ...good, durationSeconds: 1.5 }, /^durationSeconds: must be a whole number/],
      [{ ...good, name: '' }, /^name: /],
      [{ ...good, extra: 1 }, /extra/],
    ];
    for (const [body, message] of cases) {
      const res = await createRule(api, bob.accessToken, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect((res.body as unknown as { message: string }).message).toMatch(message);
    }
    expect((await createRule(api, '', good)).status).toBe(401);
    // Viewers watch; operators and admins change rules.
    const refused = await createRule(api, carol.accessToken, good);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ statusCode: 403, requiredRole: 'operator' });
    expect((await request(api, 'DELETE', '/api/alerts/rules/1', { token: carol.accessToken })).status).toBe(
      403,
    );
    expect((await request(api, 'GET', '/api/alerts/rules', { token: carol.accessToken })).status).toBe(200);
    expect((await request(api, 'DELETE', '/api/alerts/rules/abc', { token: bob.accessToken })).status).toBe(
      400,
    );
    expect(
      (await request(api, 'DELETE', '/api/alerts/rules/999999', { token: bob.accessToken })).status,
    ).toBe(404);
    expect(
      (await request(api, 'GET', '/api/alerts/history?limit=0', { token: bob.accessToken })).status,
    ).toBe(400);
  });

  it('fires once, resolves once: a notification each to the recipients, history entries and live annotations', async () => {
    const dashboards = [alice, bob, carol].map(() => undefined as unknown as RawSse);
    for (const [i, user] of [alice, bob, carol].entries())
      dashboards[i] = track(await openStream(api, user.accessToken));
    // A rule that nobody's numbers break yet: no orders at all is below 1.
    const created = await createRule(api, bob.accessToken, {
      name: 'orders stopped',
      metric: 'ordersPerMinute',
      condition: 'below',
      threshold: 1,
      recipients: { users: [bob.user.id, 'carol'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'orders stopped',
      threshold: 1,
      hysteresis: 0,
      durationSeconds: 0,
      enabled: true,
      recipients: {
        users: [
          { id: bob.user.id, username: 'bob' },
          { id: carol.user.id, username: 'carol' },
        ],
        roles: [],
      },
      createdBy: { id: bob.user.id, username: 'bob' },
    });
    const ruleId = created.body.id;

    // Fires: every open dashboard gets the annotation live.
    for (const stream of dashboards) {
      await stream.until(
        (s) => annotationsOf(s).some((a) => a.kind === 'alert-firing'),
        20_000,
        'the firing',
      );
    }
    const firing = annotationsOf(dashboards[0]).find((a) => a.kind === 'alert-firing')!;
    expect(firing).toMatchObject({
      ruleId,
      createdBy: { system: true },
      text: expect.stringMatching(/^Alert: orders stopped/),
    });
    await eventually(
      () => alertTitles(api, bob.accessToken),
      (t) => t.length === 1,
      'the alert to reach bob',
    );
    expect(await alertTitles(api, carol.accessToken)).toEqual(['Alert: orders stopped']);
    expect(await alertTitles(api, alice.accessToken)).toEqual([]);

    // One order: one per minute, no longer below 1. Resolves after three clear ticks.
    expect((await placeOrder(api, bob.accessToken)).status).toBe(201);
    await dashboards[1].until(
      (s) => annotationsOf(s).some((a) => a.kind === 'alert-resolved'),
      20_000,
      'the resolution',
    );
    // Exactly once each, also after a good many more ticks.
    await moreTicks(dashboards[1], 10);
    for (const user of [bob, carol]) {
      expect(await alertTitles(api, user.accessToken)).toEqual([
        'Alert: orders stopped',
        'Resolved: orders stopped',
      ]);
    }
    expect(await alertTitles(api, alice.accessToken)).toEqual([]);
    const history = await alertHistory(api, alice.accessToken);
    expect(history.items.filter((e) => e.ruleId === ruleId)).toEqual([
      expect.objectContaining({ kind: 'resolved', value: 1, notified: 2, ruleName: 'orders stopped' }),
      expect.objectContaining({ kind: 'firing', value: 0, notified: 2, threshold: 1 }),
    ]);
    for (const stream of dashboards) {
      expect(annotationsOf(stream).map((a) => a.kind)).toEqual(['alert-firing', 'alert-resolved']);
    }
    // The annotations come back with the stored history of the range.
    const range = await request<DashboardHistoryRangeResponse>(
      api,
      'GET',
      `/api/dashboard/history?from=${firing.time - 60_000}`,
      { token: carol.accessToken },
    );
    expect(range.body.annotations.map((a) => a.id)).toEqual(annotationsOf(dashboards[2]).map((a) => a.id));
    expect(
      (await request(api, 'DELETE', `/api/alerts/rules/${ruleId}`, { token: bob.accessToken })).status,
    ).toBe(204);
    expect((await request(api, 'GET', '/api/alerts/rules', { token: bob.accessToken })).body).toEqual([]);
  });

  it('changes a rule: renamed it keeps firing, disabled it goes quiet, a new threshold starts it over', async () => {
    const stream = track(await openStream(api, alice.accessToken));
    const created = await createRule(api, bob.accessToken, {
      name: 'someone watching',
      metric: 'activeUsers',
      condition: 'above',
      threshold: 0,
      recipients: { roles: ['admin'] },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const firings = () => annotationsOf(stream).filter((a) => a.ruleId === id && a.kind === 'alert-firing');
    await stream.until(() => firings().length === 1, 20_000, 'the rule to fire');
    const ruleOf = async () =>
      (await request(api, 'GET', '/api/alerts/rules', { token: carol.accessToken })).body.find(
        (r: { id: number }) => r.id === id,
      );

    // A new name and new recipients: what it judges is the same, so it is still firing.
    const renamed = await updateRule(api, bob.accessToken, id, {
      name: 'watched',
      recipients: { users: ['bob'] },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      name: 'watched',
      state: 'firing',
      threshold: 0,
      recipients: { users: [{ id: bob.user.id, username: 'bob' }], roles: [] },
    });
    expect(await ruleOf()).toEqual(renamed.body);

    // Disabled: back to ok, and not judged while the condition still holds.
    const disabled = await updateRule(api, bob.accessToken, id, { enabled: false });
    expect(disabled.body).toMatchObject({ enabled: false, state: 'ok', lastValue: null });
    await moreTicks(stream, 5);
    expect(await ruleOf()).toMatchObject({ state: 'ok', lastValue: null });

    // Enabled with a threshold nobody reaches: quiet (had the change not taken, it would fire).
    const enabled = await updateRule(api, bob.accessToken, id, { enabled: true, threshold: 1_000_000 });
    expect(enabled.body).toMatchObject({ enabled: true, state: 'ok', threshold: 1_000_000 });
    await moreTicks(stream, 5);
    expect((await ruleOf()).state).toBe('ok');
    expect(firings()).toHaveLength(1);

    // Its threshold back at 0: it fires again, under its new name, to its new recipient.
    expect((await updateRule(api, bob.accessToken, id, { threshold: 0 })).status).toBe(200);
    await stream.until(() => firings().length === 2, 20_000, 'the rule to fire again');
    expect(firings()[1].text).toMatch(/^Alert: watched/);
    await eventually(
      () => alertTitles(api, bob.accessToken),
      (t) => t.includes('Alert: watched'),
      'the alert to reach bob',
    );
    const history = (await alertHistory(api, bob.accessToken)).items.filter((e) => e.ruleId === id);
    expect(history.map((e) => [e.kind, e.ruleName])).toEqual([
      ['firing', 'watched'],
      ['firing', 'someone watching'],
    ]);

    // A switch to systemStatus drops the threshold by itself.
    const status = await updateRule(api, bob.accessToken, id, {
      metric: 'systemStatus',
      condition: 'not-operational',
    });
    expect(status.body).toMatchObject({ metric: 'systemStatus', threshold: null, state: 'ok' });

    const refusals: Array<[string, object, number, RegExp]> = [
      [bob.accessToken, {}, 400, /^name at least one field to change/],
      [bob.accessToken, { metric: 'activeUsers' }, 400, /^condition: activeUsers takes above or below/],
      [
        bob.accessToken,
        { metric: 'activeUsers', condition: 'above' },
        400,
        /^threshold: required with above/,
      ],
      [bob.accessToken, { threshold: 3 }, 400, /^threshold: not allowed with not-operational/],
      [bob.accessToken, { recipients: { users: ['nobody-here'] } }, 400, /no user "nobody-here"/],
      [bob.accessToken, { state: 'firing' }, 400, /state/],
      [carol.accessToken, { name: 'mine now' }, 403, /./],
    ];
    for (const [token, body, status, message] of refusals) {
      const res = await updateRule(api, token, id, body);
      expect({ body, status: res.status }).toEqual({ body, status });
      expect((res.body as unknown as { message: string }).message).toMatch(message);
    }
    expect((await updateRule(api, bob.accessToken, 999_999, { name: 'x' })).status).toBe(404);
    expect((await updateRule(api, bob.accessToken, 'abc', { name: 'x' })).status).toBe(400);
    expect((await updateRule(api, '', id, { name: 'x' })).status).toBe(401);
    // Nothing refused changed it.
    expect(await ruleOf()).toEqual(status.body);
    await request(api, 'DELETE', `/api/alerts/rules/${id}`, { token: bob.accessToken });
  });

  it('keeps ticking and evaluating the other rules when one rule cannot be evaluated', async () => {
    const stream = track(await openStream(api, alice.accessToken));
    // A rule on a metric that no tick carries (written around the API's validation).
    await sql(
      api,
      `INSERT INTO alert_rules (name, metric, condition, threshold, hysteresis, duration_ms, recipient_users,
         recipient_roles, enabled, created_by, created_at, state, state_since, last_value)
       VALUES ('broken', 'cpuTemperature', 'above', 1, 0, 0, '[]', '[]', 1, $1, $2, 'ok', $3, NULL)`,
      [alice.user.id, Date.now(), Date.now()],
    );
    const good = await createRule(api, alice.accessToken, {
      name: 'anyone watching',
      metric: 'activeUsers',
      condition: 'above',
      threshold: 0,
      recipients: { users: ['alice'] },
    });
    expect(good.status).toBe(201);
    await stream.until(
      (s) => annotationsOf(s).some((a) => a.ruleId === good.body.id),
      20_000,
      'the good rule to fire',
    );
    await moreTicks(stream, 5);
    expect(api.logs).toMatch(
      /Alert rule \d+ \(broken\) not evaluated: metric cpuTemperature is not a number/,
    );
    await request(api, 'DELETE', `/api/alerts/rules/${good.body.id}`, { token: alice.accessToken });
  });

  it('puts a posted annotation on every open dashboard live, and into the history', async () => {
    const streams = [];
    for (const user of [alice, bob, carol, bob]) streams.push(track(await openStream(api, user.accessToken)));
    await Promise.all(streams.map((s) => s.waitForEvents('metrics')));
    const posted = await request<Annotation>(api, 'POST', '/api/annotations', {
      token: bob.accessToken,
      body: { text: 'deployed v2.3', kind: 'deploy' },
    });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({
      kind: 'deploy',
      text: 'deployed v2.3',
      createdBy: { id: bob.user.id, username: 'bob' },
    });
    for (const stream of streams) {
      await stream.until(
        (s) => annotationsOf(s).some((a) => a.id === posted.body.id),
        20_000,
        'the annotation',
      );
      expect(annotationsOf(stream).find((a) => a.id === posted.body.id)).toEqual(posted.body);
      // Its event id fits in the stream's increasing ids.
      const ids = stream.events.map((e) => Number(e.id));
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    }
    const range = await request<DashboardHistoryRangeResponse>(
      api,
      'GET',
      `/api/dashboard/history?from=${posted.body.time - 1}`,
      {
        token: alice.accessToken,
      },
    );
    expect(range.body.annotations).toContainEqual(posted.body);

    for (const [body, message] of [
      [{}, /^text: /],
      [{ text: 'x'.repeat(501) }, /^text: /],
      [{ text: 'ok', kind: 'Big Deploy' }, /^kind: must be a lower-case word/],
      [{ text: 'ok', time: 'soon' }, /^time: /],
      [{ text: 'ok', time: 1 }, /^time: must be within the kept history/],
    ] as Array<[object, RegExp]>) {
      const res = await request(api, 'POST', '/api/annotations', { token: bob.accessToken, body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.message).toMatch(message);
    }
    expect((await request(api, 'POST', '/api/annotations', { body: { text: 'x' } })).status).toBe(401);
    const viewer = await request(api, 'POST', '/api/annotations', {
      token: carol.accessToken,
      body: { text: 'x' },
    });
    expect(viewer.status).toBe(403);
    expect(viewer.body).toMatchObject({ requiredRole: 'operator' });
  });
});
