import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../infra/database/database.provider';
import { InProcessEventBus } from '../../infra/event-bus/in-process-event-bus';
import { UsersService } from '../users/users.service';
import { NotificationsService } from './notifications.service';

/** A sender for notifications in unit tests: alice, id 1. */
export const ALICE = { id: 1, username: 'alice' } as const;

/** An in-memory SQLite database with alice (1), bob (2) and carol (3), for unit tests. */
export async function notificationsTestbed() {
  const database: DatabaseHandle = openDatabase('sqlite::memory:');
  await migrateToLatest(database);
  for (const username of ['alice', 'bob', 'carol']) {
    await database.db
      .insertInto('users')
      .values({ username, password_hash: 'unused', created_at: 0 })
      .execute();
  }
  const bus = new InProcessEventBus();
  const users = new UsersService(database);
  const notifications = new NotificationsService(database, bus, users);
  return { database, bus, users, notifications, close: () => database.db.destroy() };
}
