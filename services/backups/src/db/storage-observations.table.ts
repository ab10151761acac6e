/** The newest storage listing applied per (host, node, storage). */
export interface StorageObservationsTable {
  host_id: string;
  node: string;
  storage: string;
  observed_at: Date;
}
