/** NetworkService RPCs: map the request, call core, map the answer. No logic of their own. */
import type * as pb from "../../../proto/gen/joblet.ts";
import type { NetworkService, NetworkView } from "../../core/network_service.ts";
import { type Log, unary } from "./calls.ts";

export function networkToPb(n: NetworkView): pb.Network {
  return { name: n.name, cidr: n.cidr, bridge: n.bridge, builtin: n.builtin, jobIds: n.jobs };
}

export function networkServiceHandlers(networks: NetworkService, log: Log): pb.NetworkServiceServer {
  return {
    createNetwork: unary<pb.CreateNetworkRequest, pb.Network>(
      "CreateNetwork",
      "write",
      log,
      async (req) => networkToPb({ ...await networks.create(req.name, req.cidr), jobs: [] }),
    ),
    listNetworks: unary<pb.ListNetworksRequest, pb.ListNetworksResponse>(
      "ListNetworks",
      "read",
      log,
      () => ({ networks: networks.list().map(networkToPb) }),
    ),
    removeNetwork: unary<pb.RemoveNetworkRequest, pb.RemoveNetworkResponse>(
      "RemoveNetwork",
      "write",
      log,
      async (req) => {
        await networks.remove(req.name);
        return { name: req.name };
      },
    ),
  };
}
