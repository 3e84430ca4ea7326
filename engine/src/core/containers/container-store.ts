import type { StoreWriteOptions } from '../store-write.js';
import type { Container } from './container.js';

/** Durable container records. Every call is atomic; returned objects are copies (listFrozen's excepted). */
export interface ContainerStore {
  /** Throws conflict (Docker's message) when the name is taken. */
  insert(container: Container): void;
  update(container: Container, options?: StoreWriteOptions): void;
  delete(id: string): void;
  get(id: string): Container | undefined;
  findByName(name: string): Container | undefined;
  list(): Container[];
  /**
   * The stored records themselves, deep-frozen and shared, not copies: for hot read-only paths
   * (`docker ps`, ID prefix lookups). A write replaces a record's object, so an object's identity
   * says whether the record changed since it was seen.
   */
  listFrozen(): readonly Container[];
}
