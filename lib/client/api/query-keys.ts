/**
 * Every TanStack Query key of the app, in one place, so a mutation can invalidate exactly what it
 * changed (`queryClient.invalidateQueries({ queryKey: queryKeys.conflicts.all })`).
 */
export const queryKeys = {
  me: ["me"] as const,
  counts: ["dashboard", "counts"] as const,
  conflicts: {
    all: ["conflicts"] as const,
    list: (filters: Record<string, string | undefined>) => ["conflicts", "list", filters] as const,
    detail: (id: string) => ["conflicts", "detail", id] as const,
  },
  verification: {
    all: ["verification"] as const,
    list: (filters: Record<string, string | undefined>) => ["verification", "list", filters] as const,
  },
  devices: ["sync", "devices"] as const,
  rejections: (filters: Record<string, string | undefined>) => ["sync", "rejections", filters] as const,
  activity: (days: number) => ["dashboard", "activity", days] as const,
  admin: {
    users: ["admin", "users"] as const,
    entities: ["entities"] as const,
    assignments: ["admin", "assignments"] as const,
  },
};
