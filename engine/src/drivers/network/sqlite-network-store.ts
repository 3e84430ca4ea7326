import type { EndpointRecord, NetworkRecord, NetworkStore } from '../../core/networks/network.js';
import type { StoreWriteOptions } from '../../core/store-write.js';
import { writeWith, type Migration, type SqliteDatabase } from '../metadata/sqlite-database.js';

export const networkMigrations: Migration[] = [
  {
    id: 'networks/0001-initial',
    sql: `CREATE TABLE networks (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      record TEXT NOT NULL
    );
    CREATE TABLE network_endpoints (
      container_id TEXT NOT NULL,
      network_id TEXT NOT NULL,
      record TEXT NOT NULL,
      PRIMARY KEY (container_id, network_id)
    )`,
  },
];

/** Networks and endpoints in SQLite, one JSON document per row. */
export class SqliteNetworkStore implements NetworkStore {
  /** Prepared once: every container start and stop writes endpoints. */
  private readonly putEndpointStatement;
  private readonly deleteEndpointStatement;

  constructor(private readonly db: SqliteDatabase) {
    this.putEndpointStatement = db.prepare(
      `INSERT INTO network_endpoints (container_id, network_id, record) VALUES (?, ?, ?)
       ON CONFLICT (container_id, network_id) DO UPDATE SET record = excluded.record`,
    );
    this.deleteEndpointStatement = db.prepare('DELETE FROM network_endpoints WHERE container_id = ? AND network_id = ?');
  }

  listNetworks(): NetworkRecord[] {
    return (this.db.prepare('SELECT record FROM networks ORDER BY rowid').all() as { record: string }[]).map(
      (row) => JSON.parse(row.record) as NetworkRecord,
    );
  }

  insertNetwork(network: NetworkRecord): void {
    this.db
      .prepare('INSERT INTO networks (id, name, record) VALUES (?, ?, ?)')
      .run(network.id, network.name, JSON.stringify(network));
  }

  deleteNetwork(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM network_endpoints WHERE network_id = ?').run(id);
      this.db.prepare('DELETE FROM networks WHERE id = ?').run(id);
    })();
  }

  listEndpoints(filter: { containerId?: string; networkId?: string } = {}): EndpointRecord[] {
    const rows = this.db
      .prepare(
        'SELECT record FROM network_endpoints WHERE (? IS NULL OR container_id = ?) AND (? IS NULL OR network_id = ?) ORDER BY rowid',
      )
      .all(filter.containerId ?? null, filter.containerId ?? null, filter.networkId ?? null, filter.networkId ?? null) as {
      record: string;
    }[];
    return rows.map((row) => JSON.parse(row.record) as EndpointRecord);
  }

  putEndpoint(endpoint: EndpointRecord, options?: StoreWriteOptions): void {
    writeWith(this.db, options, () =>
      this.putEndpointStatement.run(endpoint.containerId, endpoint.networkId, JSON.stringify(endpoint)),
    );
  }

  deleteEndpoint(containerId: string, networkId: string, options?: StoreWriteOptions): void {
    writeWith(this.db, options, () => this.deleteEndpointStatement.run(containerId, networkId));
  }
}
