/** VolumeService RPCs: map the request, call core, map the answer. No logic of their own. */
import type * as pb from "../../../proto/gen/joblet.ts";
import type { VolumeService, VolumeView } from "../../core/volume_service.ts";
import { checkVolumeName, parseVolumeSize, parseVolumeType } from "../../domain/volume.ts";
import { type Log, unary } from "./calls.ts";

export function volumeToPb(v: VolumeView): pb.Volume {
  return {
    name: v.record.name,
    type: v.record.type,
    sizeBytes: v.record.sizeBytes,
    usedBytes: v.usedBytes ?? 0,
    jobIds: v.jobs,
    createdUnixMs: v.record.createdAt,
    error: v.error,
  };
}

export function volumeServiceHandlers(volumes: VolumeService, log: Log): pb.VolumeServiceServer {
  return {
    createVolume: unary<pb.CreateVolumeRequest, pb.Volume>(
      "CreateVolume",
      "write",
      log,
      async (req) =>
        volumeToPb(
          await volumes.create(
            checkVolumeName(req.name),
            parseVolumeSize(req.size),
            parseVolumeType(req.type),
          ),
        ),
    ),

    listVolumes: unary<pb.ListVolumesRequest, pb.ListVolumesResponse>(
      "ListVolumes",
      "read",
      log,
      () => ({ volumes: volumes.list().map(volumeToPb) }),
    ),

    removeVolume: unary<pb.RemoveVolumeRequest, pb.RemoveVolumeResponse>(
      "RemoveVolume",
      "write",
      log,
      async (req) => {
        await volumes.remove(req.name);
        return { name: req.name };
      },
    ),
  };
}
