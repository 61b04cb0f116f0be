/** A service of services.json, as far as the bus is concerned. */
export interface BusService {
  name: string;
  publishes?: string[];
  consumes?: string[];
}

export declare const STREAM: string;
export declare const SETUP_USER: string;
export declare const CLUSTER_NODES: number;
export declare const MANIFESTS: Record<string, 'single' | 'cluster'>;
export declare function busServices(root?: string): BusService[];
export declare function nkeyVariable(name: string): string;
export declare function singleServerConfig(services?: BusService[]): string;
export declare function clusterConfig(services?: BusService[]): string;
export declare function consumersVariable(services?: BusService[]): string;
export declare function withConfig(manifest: string, config: string): string;
