/**
 * What an image is to the rest of Berth: the contract between the node's image store
 * (src/images) and container storage (src/storage), which make containers from images. An image
 * lives on a node; its layers are unpacked once, in overlay form, and shared by every container
 * made from it. Types only.
 */

/** The parts of an OCI image config that make a container (Docker's field names, as Podman reads them). */
export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  /** KEY=VALUE */
  Env?: string[];
  WorkingDir?: string;
  /** USER[:GROUP], names or numbers */
  User?: string;
  StopSignal?: string;
  Labels?: Record<string, string>;
  /** Docker's HEALTHCHECK; durations in nanoseconds, as the image config stores them. */
  Healthcheck?: {
    Test?: string[];
    Interval?: number;
    Timeout?: number;
    StartPeriod?: number;
    Retries?: number;
  };
}

/** An image on one node. */
export interface ImageRecord {
  /** The sha256 of the image's config, 64 hex digits (Podman's image Id). */
  id: string;
  /** Full references, normalised as Podman does (docker.io/library/busybox:latest; localhost/NAME:TAG for imports). */
  names: string[];
  /** The unpacked layers, absolute directory paths, lowest first, in overlay form. */
  layers: string[];
  config: ImageConfig;
  /** Bytes of the unpacked layers. */
  size: number;
  /** ISO 8601, from the image config. */
  created: string;
  /** Added by the image store: the manifest's digest (sha256:…), when the image came with one (pull, OCI archive). */
  digest?: string;
}

/** How a node finds its images (the image store implements it; container storage uses it). */
export interface ImageResolver {
  /** The image on this node by full or short name, full or short Id; null when absent. */
  find(ref: string): Promise<ImageRecord | null>;
  /** find, or pull it to this node from its registry first (a create of an image the node lacks). */
  ensure(ref: string, options?: { tlsVerify?: boolean }): Promise<ImageRecord>;
}
