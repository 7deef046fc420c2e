// A small typed client of the contract: openapi-typescript generates generated/api.d.ts from openapi.json, and
// `tsc --strict` compiles this file against it (scripts/client_contract.sh). It proves the document gives a
// TypeScript client what it needs: typed bodies, typed problems, optional request fields where the service fills a
// default, and the ETag / If-Match round trip.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api";

type Cycle = components["schemas"]["Cycle"];
type Problem = components["schemas"]["Problem"];
type KprCreate = components["schemas"]["KprCreate"];

// Only what the service cannot fill in: goal_weight, unit, threshold, … are optional.
export const minimalKpr: KprCreate = {
  cycle_id: "0b5e6c1e-3f3a-4a57-9a55-4f4a3f1d2c11",
  goal_id: "5a0d2b8e-8c1d-4c7e-b1f6-0e4f7f2c9a01",
  title: "华东区销售额同比增长20%",
  direction: "increase",
  baseline: 200,
  target: 240,
  weight: 40,
};

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
  }
}

export async function createRenameAndRead(baseUrl: string, token: string): Promise<Cycle> {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });

  const created = await client.POST("/api/v1/cycles", {
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    body: { name: "2027年度绩效", cadence: "annual", start_date: "2027-01-01", end_date: "2027-12-31" },
  });
  if (created.error !== undefined) throw new ProblemError(created.error);
  const cycleId: string = created.data.id;
  const location: string | null = created.response.headers.get("Location");

  const read = await client.GET("/api/v1/cycles/{cycle_id}", { params: { path: { cycle_id: cycleId } } });
  if (read.error !== undefined) throw new ProblemError(read.error);
  const etag = read.response.headers.get("ETag");
  // The policy is written whole, so its fields are present, not optional.
  const cap: number = read.data.policy.cap;
  const results: number = read.data.policy.components.results;

  const renamed = await client.PATCH("/api/v1/cycles/{cycle_id}", {
    params: { path: { cycle_id: cycleId }, header: etag === null ? {} : { "If-Match": etag } },
    body: { name: `2027年度绩效 (cap ${cap}, results ${results}%, at ${location ?? "?"})` },
  });
  if (renamed.error !== undefined) throw new ProblemError(renamed.error);

  const page = await client.GET("/api/v1/cycles", { params: { query: { limit: 10 } } });
  if (page.error !== undefined) throw new ProblemError(page.error);
  const next: string | null = page.data.next_cursor;
  const first: Cycle | undefined = page.data.items[0];
  return next === null && first !== undefined ? first : renamed.data;
}
