import { describe, expect, it } from "vitest";
import { classifyUploadFailure, type UploadFailure, type UploadFailureDecision } from "@/lib/client/media/classify-upload-failure";

const cases: [string, UploadFailure, UploadFailureDecision][] = [
  ["network error", { method: "PATCH" }, { action: "retry", code: "NETWORK_ERROR" }],
  ["local failure before any request", {}, { action: "retry", code: "LOCAL_ERROR" }],
  ["500 on PATCH", { method: "PATCH", status: 500 }, { action: "retry", code: "HTTP_500" }],
  ["503 with a code", { method: "POST", status: 503, code: "SERVICE_UNAVAILABLE" }, { action: "retry", code: "SERVICE_UNAVAILABLE" }],
  ["429", { method: "POST", status: 429 }, { action: "retry", code: "HTTP_429" }],
  ["408", { method: "PATCH", status: 408 }, { action: "retry", code: "HTTP_408" }],
  ["409 offset conflict on PATCH", { method: "PATCH", status: 409 }, { action: "retry", code: "HTTP_409" }],
  ["423 locked on HEAD", { method: "HEAD", status: 423 }, { action: "retry", code: "HTTP_423" }],
  ["401 anywhere", { method: "HEAD", status: 401, code: "UNAUTHENTICATED" }, { action: "sign-in", code: "UNAUTHENTICATED" }],
  [
    "460 checksum mismatch",
    { method: "PATCH", status: 460, code: "CHECKSUM_MISMATCH" },
    { action: "failed", kind: "verification", code: "CHECKSUM_MISMATCH", status: 460 },
  ],
  ["422 on completion", { method: "PATCH", status: 422 }, { action: "failed", kind: "verification", code: "HTTP_422", status: 422 }],
  ["404 on PATCH: upload gone", { method: "PATCH", status: 404 }, { action: "restart", code: "HTTP_404" }],
  ["410 on PATCH: upload expired", { method: "PATCH", status: 410 }, { action: "restart", code: "HTTP_410" }],
  ["403 on HEAD: not our upload", { method: "HEAD", status: 403 }, { action: "restart", code: "HTTP_403" }],
  [
    "404 on POST: parent unknown",
    { method: "POST", status: 404, code: "NOT_FOUND" },
    { action: "failed", kind: "refused", code: "NOT_FOUND", status: 404 },
  ],
  [
    "403 on POST: out of scope",
    { method: "POST", status: 403, code: "FORBIDDEN" },
    { action: "failed", kind: "refused", code: "FORBIDDEN", status: 403 },
  ],
  [
    "409 on POST: offlineId taken",
    { method: "POST", status: 409, code: "ALREADY_EXISTS" },
    { action: "failed", kind: "refused", code: "ALREADY_EXISTS", status: 409 },
  ],
  ["413 on POST", { method: "POST", status: 413 }, { action: "failed", kind: "refused", code: "HTTP_413", status: 413 }],
  ["413 on PATCH", { method: "PATCH", status: 413 }, { action: "failed", kind: "refused", code: "HTTP_413", status: 413 }],
  [
    "415",
    { method: "POST", status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
    { action: "failed", kind: "refused", code: "UNSUPPORTED_MEDIA_TYPE", status: 415 },
  ],
  ["400 on POST", { method: "POST", status: 400 }, { action: "failed", kind: "refused", code: "HTTP_400", status: 400 }],
  ["a 3xx where tus wanted an answer", { method: "POST", status: 302 }, { action: "retry", code: "HTTP_302" }],
];

describe("classifyUploadFailure", () => {
  it.each(cases)("%s", (_name, failure, decision) => {
    expect(classifyUploadFailure(failure)).toEqual(decision);
  });
});
