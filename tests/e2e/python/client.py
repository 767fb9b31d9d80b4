"""A joblet client that is not ours: Python grpcio, stubs compiled from proto/joblet.proto at test time.

usage: client.py STUB_DIR ADDRESS CA CERT KEY
Runs `sh -c 'echo hello from python; echo oops >&2; exit 4'`, follows its log, reads its status, prints JSON.
"""
import json
import sys

stub_dir, address, ca, cert, key = sys.argv[1:6]
sys.path.insert(0, stub_dir)

import grpc  # noqa: E402
import joblet_pb2 as pb  # noqa: E402
import joblet_pb2_grpc as rpc  # noqa: E402


def read(path):
    with open(path, "rb") as f:
        return f.read()


creds = grpc.ssl_channel_credentials(read(ca), read(key), read(cert))
with grpc.secure_channel(address, creds) as channel:
    jobs = rpc.JobServiceStub(channel)
    spec = pb.JobSpec(command="sh", args=["-c", "echo hello from python; echo oops >&2; exit 4"], env={"FROM": "py"})
    job = jobs.RunJob(iter([pb.RunJobRequest(spec=spec)]))
    out, err = b"", b""
    for rec in jobs.StreamLogs(pb.StreamLogsRequest(id=job.id, follow=True)):
        if rec.stream == pb.LOG_STREAM_STDOUT:
            out += rec.data
        elif rec.stream == pb.LOG_STREAM_STDERR:
            err += rec.data
    final = jobs.GetJob(pb.GetJobRequest(id=job.id))
    version = rpc.SystemServiceStub(channel).GetVersion(pb.GetVersionRequest())
    print(json.dumps({
        "id": job.id,
        "status": pb.JobStatus.Name(final.status),
        "exit_code": final.exit_code.value if final.HasField("exit_code") else None,
        "stdout": out.decode(),
        "stderr": err.decode(),
        "caller_role": version.caller_role,
    }))
