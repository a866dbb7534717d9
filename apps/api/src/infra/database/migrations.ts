import type { CreateTableBuilder, Kysely, Migration, MigrationProvider } from 'kysely';

import type { Dialect } from './database.provider';

// Versioned migrations, applied in name order at start-up. One schema for both
// databases; the only dialect difference is how an auto-increment key is declared.
// Never edit a migration that has shipped: add the next one.
type Db = Kysely<unknown>;

/** An auto-increment primary key named `id`: BIGSERIAL on PostgreSQL, INTEGER on SQLite. */
function withId<T extends string>(table: CreateTableBuilder<T, never>, dialect: Dialect) {
  return dialect === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

function migrations(dialect: Dialect): Record<string, Migration> {
  const autoId = <T extends string>(t: CreateTableBuilder<T, never>) => withId(t, dialect);

  return {
    '0001_initial': {
      async up(db: Db) {
        await autoId(db.schema.createTable('users'))
          .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
          .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();

        await autoId(db.schema.createTable('orders'))
          .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
          .addColumn('amount_minor', 'bigint', (c) => c.notNull())
          .addColumn('currency', 'varchar(3)', (c) => c.notNull())
          .addColumn('idempotency_key', 'varchar(128)')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('orders_user_idempotency_key', ['user_id', 'idempotency_key'])
          .execute();
        await db.schema.createIndex('orders_created_at').on('orders').column('created_at').execute();

        await autoId(db.schema.createTable('notifications'))
          .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
          .addColumn('type', 'varchar(16)', (c) => c.notNull())
          .addColumn('title', 'varchar(200)', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('read_at', 'bigint')
          .execute();
        await db.schema
          .createIndex('notifications_user_id')
          .on('notifications')
          .columns(['user_id', 'id'])
          .execute();

        await autoId(db.schema.createTable('notification_events'))
          .addColumn('user_id', 'bigint', (c) => c.notNull())
          .addColumn('kind', 'varchar(32)', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('notification_events_user_id')
          .on('notification_events')
          .columns(['user_id', 'id'])
          .execute();

        await db.schema
          .createTable('rooms')
          .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('room_members')
          .addColumn('room_id', 'varchar(64)', (c) => c.notNull().references('rooms.id'))
          .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
          .addColumn('joined_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('room_members_pk', ['room_id', 'user_id'])
          .execute();

        await autoId(db.schema.createTable('chat_messages'))
          .addColumn('room_id', 'varchar(64)', (c) => c.notNull().references('rooms.id'))
          .addColumn('sender_id', 'bigint', (c) => c.notNull().references('users.id'))
          .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
          .addColumn('content', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('chat_messages_dedupe', ['room_id', 'sender_id', 'client_id'])
          .execute();
        await db.schema
          .createIndex('chat_messages_room_id')
          .on('chat_messages')
          .columns(['room_id', 'id'])
          .execute();
      },
    },

    // Rooms get an owner, a kind, a display name with its folded look-alike key (unique), an
    // archive mark; members get a read marker for unread counts. Existing rooms become public
    // with their id as name; their key is filled in by the chat service at start-up.
    '0003_chat_rooms': {
      async up(db: Db) {
        await db.schema.alterTable('rooms').addColumn('name', 'varchar(256)').execute();
        await db.schema.alterTable('rooms').addColumn('name_key', 'varchar(256)').execute();
        await db.schema
          .alterTable('rooms')
          .addColumn('kind', 'varchar(16)', (c) => c.notNull().defaultTo('public'))
          .execute();
        await db.schema
          .alterTable('rooms')
          .addColumn('owner_id', 'bigint', (c) => c.references('users.id'))
          .execute();
        await db.schema.alterTable('rooms').addColumn('archived_at', 'bigint').execute();
        await db.schema.createIndex('rooms_name_key').on('rooms').column('name_key').unique().execute();
        await db.schema.createIndex('rooms_owner_id').on('rooms').column('owner_id').execute();
        await db.schema
          .alterTable('room_members')
          .addColumn('last_read_id', 'bigint', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createIndex('room_members_user_id').on('room_members').column('user_id').execute();
      },
    },

    // Accounts (issue 12): roles, disabling, browser sessions with rotating refresh tokens,
    // API keys, and the sender of each notification.
    '0002_accounts': {
      async up(db: Db) {
        await db.schema
          .alterTable('users')
          .addColumn('role', 'varchar(16)', (c) => c.notNull().defaultTo('viewer'))
          .execute();
        await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();
        // Installs from before roles only had the demo users: they keep doing what they did.
        await db
          .updateTable('users' as never)
          .set({ role: 'admin' } as never)
          .where('username' as never, '=', 'alice' as never)
          .execute();
        await db
          .updateTable('users' as never)
          .set({ role: 'operator' } as never)
          .where('username' as never, '=', 'bob' as never)
          .execute();

        await db.schema
          .createTable('sessions')
          .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
          .addColumn('token_hash', 'varchar(64)', (c) => c.notNull())
          .addColumn('previous_hash', 'varchar(64)')
          .addColumn('rotated_at', 'bigint')
          .addColumn('device', 'varchar(200)', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_used_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('revoked_at', 'bigint')
          .execute();
        await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();

        await autoId(db.schema.createTable('api_keys'))
          .addColumn('name', 'varchar(100)', (c) => c.notNull())
          .addColumn('key_hash', 'varchar(64)', (c) => c.notNull().unique())
          .addColumn('prefix', 'varchar(32)', (c) => c.notNull())
          .addColumn('scopes', 'varchar(255)', (c) => c.notNull())
          .addColumn('owner_id', 'bigint', (c) => c.notNull().references('users.id'))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint')
          .addColumn('last_used_at', 'bigint')
          .addColumn('revoked_at', 'bigint')
          .execute();

        // A null sender_id is the system; the name is kept as it was when sent.
        await db.schema.alterTable('notifications').addColumn('sender_id', 'bigint').execute();
        await db.schema.alterTable('notifications').addColumn('sender_name', 'varchar(64)').execute();
      },
    },

    // Issue 18: every dashboard tick rolled up into one row per minute (written by the tick
    // publisher only), kept HISTORY_RETENTION_DAYS. Per metric: the sum (for the average),
    // least and greatest value; the worst status as 0 operational, 1 degraded, 2 down.
    '0004_history': {
      async up(db: Db) {
        let table = db.schema
          .createTable('dashboard_history')
          .addColumn('minute', 'bigint', (c) => c.primaryKey())
          .addColumn('samples', 'integer', (c) => c.notNull());
        for (const metric of ['active_users', 'orders_per_minute', 'revenue', 'orders_today']) {
          table = table
            .addColumn(`${metric}_sum`, 'double precision', (c) => c.notNull())
            .addColumn(`${metric}_min`, 'double precision', (c) => c.notNull())
            .addColumn(`${metric}_max`, 'double precision', (c) => c.notNull());
        }
        await table
          .addColumn('status_worst', 'integer', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },

    // Issue 18: alert rules (their state is shared, so that whichever instance publishes the
    // ticks takes over where the last one stopped), the alert history, and chart annotations.
    '0004_history_alerts': {
      async up(db: Db) {
        await autoId(db.schema.createTable('alert_rules'))
          .addColumn('name', 'varchar(100)', (c) => c.notNull())
          .addColumn('metric', 'varchar(32)', (c) => c.notNull())
          .addColumn('condition', 'varchar(32)', (c) => c.notNull())
          .addColumn('threshold', 'double precision')
          .addColumn('hysteresis', 'double precision', (c) => c.notNull())
          .addColumn('duration_ms', 'bigint', (c) => c.notNull())
          .addColumn('recipient_users', 'text', (c) => c.notNull())
          .addColumn('recipient_roles', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('created_by', 'bigint', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('state', 'varchar(16)', (c) => c.notNull())
          .addColumn('state_since', 'bigint', (c) => c.notNull())
          .addColumn('last_value', 'varchar(32)')
          .execute();

        await autoId(db.schema.createTable('alert_events'))
          .addColumn('rule_id', 'bigint', (c) => c.notNull())
          .addColumn('rule_name', 'varchar(100)', (c) => c.notNull())
          .addColumn('kind', 'varchar(16)', (c) => c.notNull())
          .addColumn('metric', 'varchar(32)', (c) => c.notNull())
          .addColumn('condition', 'varchar(32)', (c) => c.notNull())
          .addColumn('threshold', 'double precision')
          .addColumn('value', 'varchar(32)', (c) => c.notNull())
          .addColumn('notified', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();

        await autoId(db.schema.createTable('annotations'))
          .addColumn('time', 'bigint', (c) => c.notNull())
          .addColumn('kind', 'varchar(32)', (c) => c.notNull())
          .addColumn('text', 'varchar(500)', (c) => c.notNull())
          .addColumn('created_by', 'bigint')
          .addColumn('created_by_name', 'varchar(64)')
          .addColumn('rule_id', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('annotations_time').on('annotations').columns(['time', 'id']).execute();
      },
    },
  };
}

export class CodeMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}
