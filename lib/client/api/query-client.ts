import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./http";

/** Live enough for the dashboard's queues without hammering the server. */
export const QUEUE_REFETCH_MS = 30_000;

/**
 * The one QueryClient of the app (server-only reads: the dashboard's queues, sync health, admin).
 * Queries refetch when the window regains focus; a 4xx is not retried (it will not change by
 * asking again), anything else once.
 */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: true,
        retry: (failures, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 1,
      },
      mutations: { retry: false },
    },
  });
}
