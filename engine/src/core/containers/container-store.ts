import type { Container } from './container.js';

/** Durable container records. Every call is atomic; returned objects are copies. */
export interface ContainerStore {
  /** Throws conflict (Docker's message) when the name is taken. */
  insert(container: Container): void;
  update(container: Container): void;
  delete(id: string): void;
  get(id: string): Container | undefined;
  findByName(name: string): Container | undefined;
  list(): Container[];
}
