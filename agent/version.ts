/** The agent's version and the API version of proto/joblet.proto it serves. */
export const VERSION = "0.1.0";
export const API_VERSION = "joblet.v1";
