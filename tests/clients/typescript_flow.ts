// What a TypeScript client writes against the types openapi-typescript generates from
// Taskstar's document (with its default flags): `tsc --strict` must accept it. A property the
// server defaults (archived, position, priority) must stay optional in a request body, every
// field a response always carries must be present, and the ETag and Retry-After headers typed.
import type { components, paths } from "./api";

type Schemas = components["schemas"];

const project: Schemas["ProjectCreate"] = { key: "WEB", name: "Web" };
const task: Schemas["TaskCreate"] = { title: "Write the docs" };
const tag: Schemas["TagCreate"] = { name: "bug", color: "#ff0000" };
const workspace: Schemas["WorkspaceCreate"] = { name: "Team", slug: "team" };

function describe(page: Schemas["TaskPage"]): string {
  const first: Schemas["TaskRead"] | undefined = page.items[0];
  const next: string | null = page.next_cursor;
  return `${page.total} tasks, first ${first?.key ?? "none"}, next ${next ?? "end"}`;
}

function position(page: Schemas["WorkspacePage"]): string {
  return `page ${Math.floor(page.offset / page.limit) + 1} of ${Math.ceil(page.total / page.limit)}`;
}

type TaskHeaders = paths["/api/tasks/{task_id}"]["get"]["responses"][200]["headers"];
const etag: TaskHeaders["ETag"] = '"3"';
type Unavailable = paths["/api/me"]["get"]["responses"][503]["headers"];
const retryAfter: Unavailable["Retry-After"] = 2;
const token: Schemas["AccessToken"] = { access_token: "t", token_type: "bearer", expires_in: 3600 };

export { project, task, tag, workspace, describe, position, etag, retryAfter, token };
