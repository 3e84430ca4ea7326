import type { ImageContentRef, ImageRecord, ImageStore, LayerBlob } from '../../core/images/image-store.js';
import type { Image } from '../../core/images/image.js';
import type { ImageConfig } from '../../core/images/image-config.js';
import type { Digest } from '../../lib/digest.js';
import type { Migration, SqliteDatabase } from './sqlite-database.js';

export const imageMigrations: readonly Migration[] = [
  {
    id: 'images/0001-initial',
    sql: `
      CREATE TABLE images (
        id TEXT PRIMARY KEY,
        config TEXT NOT NULL,
        chain_ids TEXT NOT NULL,
        size INTEGER NOT NULL,
        stored_at INTEGER NOT NULL
      );
      CREATE TABLE image_references (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('tag', 'digest')),
        image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX image_references_by_image ON image_references(image_id);
      CREATE TABLE image_layers (
        chain_id TEXT PRIMARY KEY,
        size INTEGER NOT NULL
      );
    `,
  },
  {
    id: 'images/0002-content',
    sql: `
      CREATE TABLE image_content (
        image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        digest TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('index', 'manifest', 'config', 'layer')),
        PRIMARY KEY (image_id, digest)
      );
      CREATE INDEX image_content_by_digest ON image_content(digest);
      CREATE TABLE layer_blobs (
        diff_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        media_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        PRIMARY KEY (diff_id, digest)
      );
      CREATE TABLE blob_locations (
        digest TEXT NOT NULL,
        repository TEXT NOT NULL,
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (digest, repository)
      );
    `,
  },
];

interface ImageRow {
  id: string;
  config: string;
  chain_ids: string;
  size: number;
  stored_at: number;
}

/** Image metadata in the engine's SQLite database (apply `imageMigrations` first). */
export class SqliteImageStore implements ImageStore {
  constructor(private readonly db: SqliteDatabase) {}

  get(id: Digest): Image | undefined {
    const row = this.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined;
    return row ? this.toImage(row) : undefined;
  }

  getByReference(name: string): Image | undefined {
    const row = this.db
      .prepare(
        'SELECT images.* FROM image_references JOIN images ON images.id = image_references.image_id WHERE image_references.name = ?',
      )
      .get(name) as ImageRow | undefined;
    return row ? this.toImage(row) : undefined;
  }

  findByIdPrefix(hexPrefix: string): Image[] {
    if (!/^[a-f0-9]+$/.test(hexPrefix)) return [];
    const rows = this.db
      .prepare('SELECT * FROM images WHERE substr(id, 8, ?) = ?')
      .all(hexPrefix.length, hexPrefix) as ImageRow[];
    return rows.map((row) => this.toImage(row));
  }

  list(): Image[] {
    return (this.db.prepare('SELECT * FROM images ORDER BY stored_at DESC').all() as ImageRow[]).map((row) => this.toImage(row));
  }

  commit(record: ImageRecord, names: { tags: string[]; digests: string[] }): Image {
    const now = Date.now();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR IGNORE INTO images (id, config, chain_ids, size, stored_at) VALUES (?, ?, ?, ?, ?)')
        .run(record.id, JSON.stringify(record.config), JSON.stringify(record.chainIds), record.size, now);
      const upsert = this.db.prepare(
        'INSERT INTO image_references (name, kind, image_id, created_at) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id, kind = excluded.kind, created_at = excluded.created_at',
      );
      for (const tag of names.tags) upsert.run(tag, 'tag', record.id, now);
      for (const digest of names.digests) upsert.run(digest, 'digest', record.id, now);
      const content = this.db.prepare('INSERT OR IGNORE INTO image_content (image_id, digest, kind) VALUES (?, ?, ?)');
      for (const ref of record.content) content.run(record.id, ref.digest, ref.kind);
    })();
    return this.get(record.id) as Image;
  }

  addReference(id: Digest, name: string, kind: 'tag' | 'digest'): void {
    this.db
      .prepare(
        'INSERT INTO image_references (name, kind, image_id, created_at) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id, kind = excluded.kind, created_at = excluded.created_at',
      )
      .run(name, kind, id, Date.now());
  }

  removeReference(name: string): boolean {
    return this.db.prepare('DELETE FROM image_references WHERE name = ?').run(name).changes > 0;
  }

  delete(id: Digest): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM image_references WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM image_content WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
    })();
  }

  content(id: Digest): ImageContentRef[] {
    return this.db
      .prepare('SELECT digest, kind FROM image_content WHERE image_id = ? ORDER BY rowid')
      .all(id) as ImageContentRef[];
  }

  referencedContent(): Set<Digest> {
    const rows = this.db.prepare('SELECT DISTINCT digest FROM image_content').all() as { digest: Digest }[];
    return new Set(rows.map((row) => row.digest));
  }

  forgetLayerSize(chainId: Digest): void {
    this.db.prepare('DELETE FROM image_layers WHERE chain_id = ?').run(chainId);
  }

  layerBlobs(diffId: Digest): LayerBlob[] {
    const rows = this.db
      .prepare('SELECT diff_id, digest, media_type, size FROM layer_blobs WHERE diff_id = ? ORDER BY rowid')
      .all(diffId) as { diff_id: Digest; digest: Digest; media_type: string; size: number }[];
    return rows.map((row) => ({ diffId: row.diff_id, digest: row.digest, mediaType: row.media_type, size: row.size }));
  }

  recordLayerBlob(blob: LayerBlob): void {
    this.db
      .prepare('INSERT OR REPLACE INTO layer_blobs (diff_id, digest, media_type, size) VALUES (?, ?, ?, ?)')
      .run(blob.diffId, blob.digest, blob.mediaType, blob.size);
  }

  blobLocations(digest: Digest): string[] {
    const rows = this.db.prepare('SELECT repository FROM blob_locations WHERE digest = ? ORDER BY seen_at DESC').all(digest) as {
      repository: string;
    }[];
    return rows.map((row) => row.repository);
  }

  recordBlobLocation(digest: Digest, repository: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO blob_locations (digest, repository, seen_at) VALUES (?, ?, ?)')
      .run(digest, repository, Date.now());
  }

  layerSize(chainId: Digest): number | undefined {
    return (this.db.prepare('SELECT size FROM image_layers WHERE chain_id = ?').get(chainId) as { size: number } | undefined)
      ?.size;
  }

  recordLayerSize(chainId: Digest, size: number): void {
    this.db.prepare('INSERT OR REPLACE INTO image_layers (chain_id, size) VALUES (?, ?)').run(chainId, size);
  }

  private toImage(row: ImageRow): Image {
    const references = this.db
      .prepare('SELECT name, kind FROM image_references WHERE image_id = ? ORDER BY created_at, name')
      .all(row.id) as { name: string; kind: 'tag' | 'digest' }[];
    return {
      id: row.id as Digest,
      config: JSON.parse(row.config) as ImageConfig,
      repoTags: references.filter((ref) => ref.kind === 'tag').map((ref) => ref.name),
      repoDigests: references.filter((ref) => ref.kind === 'digest').map((ref) => ref.name),
      chainIds: JSON.parse(row.chain_ids) as Digest[],
      size: row.size,
      storedAt: row.stored_at,
    };
  }
}
