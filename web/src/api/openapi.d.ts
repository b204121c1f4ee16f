// Generated from apid/openapi.json by scripts/gen-api.mjs (openapi-typescript);
// `npm run build` rewrites it: do not edit. src/api/types.ts says how the UI uses it.

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Dead-man switch: 200 only while all three daemons are alive */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Every heartbeat is fresh. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Healthz"];
                    };
                };
                /** @description At least one daemon is stale (named in stale). */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Healthz"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus text format 0.0.4 for pollerd, alertd and apid */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Metrics. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": string;
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Health detail (always 200) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Health. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Health"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Overall status, active incidents, maintenances, counts (effective status) */
        get: {
            parameters: {
                query?: {
                    /** @description Only the N worst active incidents (active_incidents_total counts all) (clamped to 1..1000), with aggregates over all of them (doc/scale.md#lists) */
                    worst?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Summary. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Summary"];
                            error: null;
                            meta: null;
                        };
                    };
                };
                304: components["responses"]["NotModified"];
                422: components["responses"]["Validation"];
                503: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/services": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every live service with effective-status counts */
        get: {
            parameters: {
                query?: {
                    /** @description Comma-separated effective statuses */
                    status?: string;
                    /** @description Comma-separated tiers */
                    tier?: string;
                    /** @description Case-insensitive part of the display name or id */
                    q?: string;
                    /** @description Comma-separated service fields to return (id always); the objects then hold only those */
                    fields?: string;
                    /** @description Page size (clamped to 1..10000); the counts stay over every match */
                    limit?: number;
                    /** @description meta.next_cursor of the previous page */
                    cursor?: string;
                    /** @description Only this category (an unknown one gives an empty list) */
                    category?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Services. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["ServicesList"];
                            error: null;
                            meta: {
                                category_filter: string | null;
                                limit?: number;
                                next_cursor?: string | null;
                            };
                        };
                    };
                };
                304: components["responses"]["NotModified"];
                422: components["responses"]["Validation"];
                503: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/services/uptime": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Worst status per day over the last 7 days */
        get: {
            parameters: {
                query?: {
                    /** @description Only the N worst services (by bad days) (clamped to 1..1000), with aggregates over all of them (doc/scale.md#lists) */
                    worst?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Uptime strip. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Uptime"];
                            error: null;
                            meta: null;
                        };
                    };
                };
                304: components["responses"]["NotModified"];
                422: components["responses"]["Validation"];
                503: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/services/sla": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Uptime percentages over 24 h, 7 d and 30 d */
        get: {
            parameters: {
                query?: {
                    /** @description Only the N worst services (by 30-day uptime) (clamped to 1..1000), with aggregates over all of them (doc/scale.md#lists) */
                    worst?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description SLA. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Sla"];
                            error: null;
                            meta: null;
                        };
                    };
                };
                304: components["responses"]["NotModified"];
                422: components["responses"]["Validation"];
                503: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/services/sla/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Daily uptime for 1 to 90 days */
        get: {
            parameters: {
                query?: {
                    /** @description Only the N worst services (by mean daily uptime) (clamped to 1..1000), with aggregates over all of them (doc/scale.md#lists) */
                    worst?: number;
                    /** @description Only this service (none when it is not a live service) */
                    service_id?: string;
                    /** @description Clamped to 1..90 */
                    days?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description SLA history. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["SlaHistory"];
                            error: null;
                            meta: {
                                days_requested: number;
                            };
                        };
                    };
                };
                304: components["responses"]["NotModified"];
                422: components["responses"]["Validation"];
                503: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/services/graph": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Dependency graph */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Graph. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Graph"];
                            error: null;
                            meta: null;
                        };
                    };
                };
                304: components["responses"]["NotModified"];
                503: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/services/slo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Error budget and burn rates per service */
        get: {
            parameters: {
                query?: {
                    /** @description Only the N worst services (by error budget left) (clamped to 1..1000), with aggregates over all of them (doc/scale.md#lists) */
                    worst?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description SLO. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Slo"];
                            error: null;
                            meta: null;
                        };
                    };
                };
                304: components["responses"]["NotModified"];
                422: components["responses"]["Validation"];
                503: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/services/{service_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One service with its dependencies and last 10 events */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Service id */
                    service_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Service detail. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["ServiceDetail"];
                            error: null;
                            meta: null;
                        };
                    };
                };
                304: components["responses"]["NotModified"];
                404: components["responses"]["Error"];
                503: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Status events, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description Clamped to 1..200 */
                    limit?: number;
                    /** @description Only this service */
                    service_id?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Timeline. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Timeline"];
                            error: null;
                            meta: {
                                limit: number;
                                service_id_filter: string | null;
                            };
                        };
                    };
                };
                304: components["responses"]["NotModified"];
                422: components["responses"]["Validation"];
                503: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/timeline/clustered": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Events grouped into incidents with a root-cause guess */
        get: {
            parameters: {
                query?: {
                    /** @description Gap in seconds that starts a new cluster, clamped to 60..3600 */
                    window?: number;
                    /** @description Events considered, clamped to 1..500 */
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Clusters. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Clustered"];
                            error: null;
                            meta: {
                                window: number;
                            };
                        };
                    };
                };
                304: components["responses"]["NotModified"];
                422: components["responses"]["Validation"];
                503: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/maintenance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Scheduled, in-progress and verifying maintenance windows */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Maintenances. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Maintenances"];
                            error: null;
                            meta: null;
                        };
                    };
                };
                304: components["responses"]["NotModified"];
                503: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Incident reports, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description Only this service */
                    service_id?: string;
                    /** @description Clamped to 1..100 */
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Reports. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Reports"];
                            error: null;
                            meta: {
                                service_id_filter: string | null;
                            };
                        };
                    };
                };
                304: components["responses"]["NotModified"];
                422: components["responses"]["Validation"];
                503: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The alert log: decisions, suppressions, deliveries, acks */
        get: {
            parameters: {
                query?: {
                    /** @description Only this service */
                    service_id?: string;
                    /** @description Only this alert_kind (the words are AlertRow.alert_kind's); any other word matches no alert */
                    kind?: string;
                    /** @description true: suppressed only; false: fired only */
                    suppressed?: boolean;
                    /** @description Only decisions at or after this time */
                    since?: string;
                    /** @description next_cursor of the previous page */
                    cursor?: string;
                    /** @description Clamped to 1..200 */
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Alerts. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Alerts"];
                            error: null;
                            meta: components["schemas"]["AlertsMeta"];
                        };
                    };
                };
                304: components["responses"]["NotModified"];
                422: components["responses"]["Validation"];
                503: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server-Sent Events: status (id = event id) and summary messages, a comment every 15 s */
        get: {
            parameters: {
                query?: {
                    /** @description Same as the header, for clients that cannot set it */
                    last_event_id?: string;
                };
                header?: {
                    /** @description Last status event id received */
                    "Last-Event-ID"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description An event stream. Resume with Last-Event-ID or last_event_id. A services frame carries a ServicesDelta (components/schemas). */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": string;
                    };
                };
                /** @description Too many stream clients (Retry-After). */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PlainDetail"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OpenAPI 3.1. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": Record<string, never>;
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set a service status by hand (through pollerd) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ManualStatusRequest"];
                };
            };
            responses: {
                /** @description Applied by pollerd. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["ServiceRow"];
                            error: null;
                            meta: components["schemas"]["ManualStatusMeta"];
                        };
                    };
                };
                202: components["responses"]["Queued"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
                409: components["responses"]["Error"];
                413: components["responses"]["Plain"];
                422: components["responses"]["Validation"];
                503: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/maintenance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a local maintenance window (through pollerd) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["MaintenanceRequest"];
                };
            };
            responses: {
                /** @description Created. */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Maintenance"] | Record<string, never>;
                            error: null;
                            meta: {
                                inbox_id: number;
                            };
                        };
                    };
                };
                202: components["responses"]["Queued"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
                409: components["responses"]["Error"];
                413: components["responses"]["Plain"];
                422: components["responses"]["Validation"];
                503: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/maintenance/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Cancel a local maintenance window (through pollerd) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Maintenance id */
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Cancelled. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Maintenance"];
                            error: null;
                            meta: {
                                inbox_id: number;
                            };
                        };
                    };
                };
                202: components["responses"]["Queued"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
                409: components["responses"]["Error"];
                413: components["responses"]["Plain"];
                422: components["responses"]["Validation"];
                503: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/inbox/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** State of a queued command */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Inbox id */
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The inbox row. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["InboxRow"];
                            error: null;
                            meta: null;
                        };
                    };
                };
                304: components["responses"]["NotModified"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
                422: components["responses"]["Validation"];
                503: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/webhooks/statuspage/{service_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Statuspage webhook signed with the seed HMAC header (WEBHOOKS_ENABLED, STATUSPAGE_WEBHOOK_SECRET) */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description hex HMAC-SHA256 with the secret over the timestamp, a dot and the body; the body alone only with STATUSPAGE_BODY_ONLY_SIGNATURE (doc/security.md#webhook-signatures) */
                    "X-Statuspage-Signature": string;
                    /** @description Unix seconds, within 300 s of the server clock either way (optional with STATUSPAGE_BODY_ONLY_SIGNATURE); a body accepted once is refused for 600 s */
                    "X-Statuspage-Timestamp": string;
                };
                path: {
                    /** @description Service id */
                    service_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": Record<string, never>;
                };
            };
            responses: {
                /** @description Queued for pollerd (or ignored when not JSON). */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WebhookAck"];
                    };
                };
                403: components["responses"]["Plain"];
                404: components["responses"]["Plain"];
                413: components["responses"]["Plain"];
                503: components["responses"]["Plain"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/webhooks/statuspage/{service_id}/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Statuspage webhook authenticated by a per-service URL token (WEBHOOK_TOKEN_<ID>) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Service id */
                    service_id: string;
                    /** @description The secret token of this service */
                    token: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": Record<string, never>;
                };
            };
            responses: {
                /** @description Queued for pollerd (or ignored when not JSON). */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WebhookAck"];
                    };
                };
                403: components["responses"]["Plain"];
                404: components["responses"]["Plain"];
                413: components["responses"]["Plain"];
                503: components["responses"]["Plain"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/slack/interactivity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Slack block actions: the Acknowledge button (SLACK_ACK_ENABLED) */
        post: {
            parameters: {
                query?: never;
                header: {
                    "X-Slack-Request-Timestamp": string;
                    "X-Slack-Signature": string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/x-www-form-urlencoded": {
                        payload: string;
                    };
                };
            };
            responses: {
                /** @description Accepted (an ack is queued for alertd when the payload is one). */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": Record<string, never>;
                    };
                };
                403: components["responses"]["Plain"];
                404: components["responses"]["Plain"];
                413: components["responses"]["Plain"];
                503: components["responses"]["Plain"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/slack/slash": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The /itstatus slash command (SLACK_SLASH_ENABLED) */
        post: {
            parameters: {
                query?: never;
                header: {
                    "X-Slack-Request-Timestamp": string;
                    "X-Slack-Signature": string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/x-www-form-urlencoded": {
                        command: string;
                        text?: string;
                    };
                };
            };
            responses: {
                /** @description An ephemeral reply. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SlackReply"];
                    };
                };
                401: components["responses"]["Error"];
                413: components["responses"]["Plain"];
                503: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @enum {string} */
        Status: "operational" | "degraded" | "partial_outage" | "major_outage" | "unknown";
        /** @enum {string|null} */
        NullableStatus: "operational" | "degraded" | "partial_outage" | "major_outage" | "unknown" | null;
        /** @enum {string} */
        PollerHealth: "healthy" | "degraded" | "broken";
        /** @enum {string} */
        Severity: "critical" | "high" | "medium" | "low";
        Service: {
            id: string;
            display_name: string;
            category: string;
            current_status: components["schemas"]["Status"];
            current_status_detail: string | null;
            poll_type: string;
            status_page_url: string | null;
            last_polled_at: string | null;
            last_status_change_at: string | null;
            consecutive_failures: number;
            last_success_at: string | null;
            last_failure_reason: string | null;
            poller_health: components["schemas"]["PollerHealth"];
            /** @enum {string} */
            tier: "critical" | "important" | "informational";
            pending_status: components["schemas"]["NullableStatus"];
            pending_status_count: number;
            pending_status_since: string | null;
            in_maintenance: boolean;
            /** @enum {string} */
            status_source: "poll" | "manual" | "webhook" | "demo";
            current_incident_title: string | null;
            /** @description latest format drift notes of the vendor payload (defaults or fallbacks the parser used, joined by semicolons; doc/drift.md), null when never seen */
            drift_note: string | null;
            /** @description when a reading first carried exactly drift_note */
            drift_first_seen_at: string | null;
            /** @description when a reading last carried drift_note */
            drift_last_seen_at: string | null;
            /** @description unknown while the poller is broken or pollerd is stalled, else current_status */
            effective_status: components["schemas"]["Status"];
            /** @description why effective_status is unknown, null otherwise */
            effective_reason?: string | null;
        };
        /** @description Every column of the services row (the seed answer to a manual update). */
        ServiceRow: {
            id: string;
            display_name: string;
            category: string;
            current_status: components["schemas"]["Status"];
            poller_health: components["schemas"]["PollerHealth"];
            in_maintenance: boolean;
            effective_status: components["schemas"]["Status"];
        };
        Dep: {
            service_id: string;
            service_name: string;
            impact_description: string;
            severity: components["schemas"]["Severity"];
            current_status: components["schemas"]["Status"];
            effective_status: components["schemas"]["Status"];
        };
        Event: {
            id: number;
            service_id: string;
            service_name: string;
            previous_status: components["schemas"]["Status"];
            new_status: components["schemas"]["Status"];
            vendor_title: string | null;
            vendor_detail: string | null;
            impact_statement: string | null;
            source: string;
            created_at: string;
            is_baseline: boolean;
            in_maintenance: boolean;
            vendor_incident_id: string | null;
        };
        Maintenance: {
            id: number;
            service_id: string;
            service_name: string;
            title: string;
            description: string | null;
            scheduled_for: string;
            scheduled_until: string | null;
            /** @enum {string} */
            status: "scheduled" | "in_progress" | "verifying" | "completed" | "cancelled";
            /** @enum {string} */
            source: "vendor" | "local";
            created_by: string | null;
        };
        ActiveIncident: {
            service: components["schemas"]["Service"];
            impact_statement: string;
            affected_services: string[];
            started_at: string | null;
        };
        Summary: {
            /**
             * @description unknown while pollerd is stalled or no service's status is known (status_reason says why)
             * @enum {string}
             */
            overall_status: "operational" | "degraded" | "partial_outage" | "major_outage" | "unknown";
            status_text: string;
            status_reason?: string;
            active_incidents: components["schemas"]["ActiveIncident"][];
            /** @description With worst, and in the stream's summary frames: every active incident, when active_incidents holds only the worst of them */
            active_incidents_total?: number;
            upcoming_maintenances: components["schemas"]["Maintenance"][];
            total_services: number;
            healthy_count: number;
            degraded_count: number;
            outage_count: number;
            unknown_count: number;
            /** @description Services in planned maintenance (poller not broken): never active incidents, not in overall_status */
            maintenance_count: number;
            /** @description Windows completed in the last 7 days, newest first (at most 20) */
            recent_maintenances: components["schemas"]["Maintenance"][];
            /** @description newest services.last_polled_at */
            last_poll_at: string | null;
        };
        ServicesList: {
            services: components["schemas"]["Service"][];
            total: number;
            healthy_count: number;
            degraded_count: number;
            outage_count: number;
            unknown_count: number;
        };
        ServiceDetail: {
            service: components["schemas"]["Service"];
            downstream_impacts: components["schemas"]["Dep"][];
            upstream_dependencies: components["schemas"]["Dep"][];
            recent_events: components["schemas"]["Event"][];
        };
        Uptime: {
            days: string[];
            services: {
                [key: string]: {
                    [key: string]: "operational" | "degraded" | "partial_outage" | "major_outage";
                };
            };
            /** @description Per service and listed day, the seconds with a known status; a day not listed is no data */
            tracked_seconds: {
                [key: string]: {
                    [key: string]: number;
                };
            };
            monitoring_since: {
                [key: string]: string | null;
            };
        };
        /** @description What a figure stands on (doc/coverage.md): seconds of the window with a known status (blind time and time before monitoring started excluded; maintenance included), the window length, the part in maintenance, and when monitoring of the service started. */
        Coverage: {
            tracked_seconds: number;
            window_seconds: number;
            maintenance_seconds: number;
            monitoring_since: string | null;
        };
        /** @description UPTIME_MIN_COVERAGE_PERCENT, BURN_MIN_COVERAGE_PERCENT and SLA_COUNT_MAINTENANCE: a figure is null when its tracked time is under the share of its window. */
        CoverageRule: {
            min_coverage_percent: number;
            burn_min_coverage_percent: number;
            count_maintenance: boolean;
        };
        SlaFigures: {
            uptime_24h: number | null;
            uptime_7d: number | null;
            uptime_30d: number | null;
            monitoring_since: string | null;
            coverage: {
                "24h": components["schemas"]["Coverage"];
                "7d": components["schemas"]["Coverage"];
                "30d": components["schemas"]["Coverage"];
            };
        };
        Sla: {
            services: {
                [key: string]: components["schemas"]["SlaFigures"];
            };
            coverage_rule: components["schemas"]["CoverageRule"];
        };
        SlaDay: {
            date: string;
            uptime: number | null;
            tracked_seconds: number;
            window_seconds: number;
            maintenance_seconds: number;
        };
        SlaHistory: {
            days: string[];
            services: {
                [key: string]: components["schemas"]["SlaDay"][];
            };
            monitoring_since: {
                [key: string]: string | null;
            };
            coverage_rule: components["schemas"]["CoverageRule"];
            /** @description With worst: per day, the mean uptime over every service */
            aggregate?: {
                date: string;
                mean_uptime: number | null;
                services: number;
            }[];
            /** @description With worst: services before the cut */
            services_total?: number;
        };
        GraphNode: {
            id: string;
            name: string;
            category: string;
            /** @description effective status */
            status: components["schemas"]["Status"];
            current_status: components["schemas"]["Status"];
            poller_health: components["schemas"]["PollerHealth"];
            downstream_count: number;
        };
        GraphLink: {
            source: string;
            target: string;
            severity: components["schemas"]["Severity"];
            impact: string;
        };
        Graph: {
            nodes: components["schemas"]["GraphNode"][];
            links: components["schemas"]["GraphLink"][];
        };
        Breach: {
            long_window_burn_rate: number;
            short_window_burn_rate: number;
            /** @enum {string} */
            long_window_label: "1h" | "6h";
            /** @enum {string} */
            short_window_label: "5m" | "30m";
        };
        SloRow: {
            id: string;
            display_name: string;
            category: string;
            /** @enum {string} */
            tier: "critical" | "important" | "informational";
            current_status: components["schemas"]["Status"];
            poller_health: components["schemas"]["PollerHealth"];
            effective_status: components["schemas"]["Status"];
            in_maintenance: boolean;
            uptime_30d_pct: number | null;
            /** @description null while the 30 days are not covered enough (coverage_30d) */
            error_budget_remaining_pct: number | null;
            fast_burning: boolean;
            slow_burning: boolean;
            fast_breach: components["schemas"]["Breach"] | null;
            slow_breach: components["schemas"]["Breach"] | null;
            monitoring_since: string | null;
            coverage_30d: components["schemas"]["Coverage"];
            /** @description Burn rate per window; null unless the window is covered to BURN_MIN_COVERAGE_PERCENT */
            burn_rates: {
                "5m": number | null;
                "30m": number | null;
                "1h": number | null;
                "6h": number | null;
            };
            burn_coverage: {
                "5m": components["schemas"]["Coverage"];
                "30m": components["schemas"]["Coverage"];
                "1h": components["schemas"]["Coverage"];
                "6h": components["schemas"]["Coverage"];
            };
        };
        Slo: {
            services: components["schemas"]["SloRow"][];
            thresholds: {
                target_percent: number;
                fast_threshold: number;
                slow_threshold: number;
            };
            coverage_rule: components["schemas"]["CoverageRule"];
            /** @description With worst: services before the cut */
            services_total?: number;
            /** @description With worst: fast-burning services before the cut */
            fast_burning_count?: number;
            /** @description With worst: slow-burning services before the cut */
            slow_burning_count?: number;
        };
        /** @description The data of a services frame of /api/stream (doc/scale.md#sse): the changed rows, each with the figures its tile shows, and the ids of retired services. */
        ServicesDelta: {
            services: (components["schemas"]["Service"] & {
                figures?: components["schemas"]["RowFigures"];
            })[];
            removed: string[];
        };
        /** @description One service as the uptime and SLA lists have it: its day squares (the entry of Uptime.services; a day absent is no data), their seen seconds (of Uptime.tracked_seconds) and its Sla entry. Absent when they could not be read. */
        RowFigures: {
            uptime: {
                [key: string]: "operational" | "degraded" | "partial_outage" | "major_outage";
            };
            tracked_seconds: {
                [key: string]: number;
            };
            sla: components["schemas"]["SlaFigures"];
        };
        Timeline: {
            events: components["schemas"]["Event"][];
            total: number;
        };
        /** @description An entry of the clustered timeline: a status change (kind status; is_baseline marks monitoring started), or a poller-health change (kind health: statuses null, previous_health and new_health set). */
        ClusterEvent: {
            id: number;
            service_id: string;
            service_name: string;
            /** @enum {string} */
            kind: "status" | "health";
            previous_status: components["schemas"]["Status"] | null;
            new_status: components["schemas"]["Status"] | null;
            previous_health: string | null;
            new_health: string | null;
            vendor_title?: string | null;
            vendor_detail?: string | null;
            impact_statement?: string | null;
            source?: string;
            created_at: string;
            is_baseline: boolean;
            in_maintenance: boolean;
            vendor_incident_id?: string | null;
        };
        Cluster: {
            root_cause: {
                id: string;
                name: string;
            } | null;
            severity: components["schemas"]["Status"];
            started_at: string;
            ended_at: string;
            service_count: number;
            event_count: number;
            events: components["schemas"]["ClusterEvent"][];
        };
        Clustered: {
            clusters: components["schemas"]["Cluster"][];
            total_clusters: number;
            total_events: number;
        };
        Maintenances: {
            maintenances: components["schemas"]["Maintenance"][];
            total: number;
        };
        Report: {
            id: number;
            service_id: string;
            service_name: string;
            started_at: string;
            resolved_at: string;
            duration_seconds: number;
            peak_severity: string;
            affected_downstream: string[];
            event_count: number;
            impact_summary: string | null;
            created_at: string;
            duration_human: string;
        };
        Reports: {
            reports: components["schemas"]["Report"][];
            total: number;
        };
        Delivery: {
            id: number;
            /** @enum {string} */
            destination_kind: "slack" | "webhook" | "teams" | "pagerduty" | "slack_response";
            destination: string;
            /** @enum {string} */
            state: "pending" | "sending" | "sent" | "failed";
            attempts: number;
            next_attempt_at: string;
            last_http_status: number | null;
            last_error: string | null;
            created_at: string;
            sent_at: string | null;
        };
        AlertRow: {
            id: number;
            dedup_key: string;
            service_id: string;
            service_name: string | null;
            status_event_id: number | null;
            /** @enum {string} */
            alert_kind: "status_change" | "aggregated_upstream" | "poller_health" | "slo_burn_rate" | "daemon_health" | "batch";
            severity: string;
            previous_status: string | null;
            new_status: string;
            aggregated_under: string | null;
            /** @enum {string|null} */
            suppressed_by: "aggregated_under_upstream" | "maintenance_window" | "dedup" | "tier_informational" | "webhook_not_configured" | "baseline" | "recovery_not_announced" | "batched" | "covered_by_status_alert" | "covered_by_burn_alert" | null;
            /** @description fired, or the suppression reason */
            decision: string;
            slack_channel: string | null;
            first_sent_at: string;
            last_updated_at: string;
            acknowledged_at: string | null;
            acknowledged_by: string | null;
            resolved_at: string | null;
            deliveries: components["schemas"]["Delivery"][];
        };
        Alerts: {
            alerts: components["schemas"]["AlertRow"][];
            /** @description pass as cursor for the next (older) page; null on the last page */
            next_cursor: string | null;
        };
        AlertsMeta: {
            limit: number;
            service_id_filter: string | null;
            kind_filter: string | null;
            suppressed_filter: boolean | null;
            since: string | null;
        };
        DaemonBeat: {
            pid?: number;
            version?: string;
            started_at?: string;
            beat_at: string | null;
            last_cycle_at?: string | null;
            last_error?: string | null;
            age_seconds: number | null;
            cycle_age_seconds?: number | null;
            fresh: boolean;
        };
        Daemons: {
            pollerd: components["schemas"]["DaemonBeat"];
            alertd: components["schemas"]["DaemonBeat"];
            apid: components["schemas"]["DaemonBeat"];
        };
        Health: {
            /** @enum {string} */
            status: "healthy" | "degraded" | "unhealthy";
            /** @enum {string} */
            database: "connected" | "error" | "unknown";
            last_poll_at: string | null;
            poll_age_seconds: number | null;
            services_total: number;
            services_polled: number;
            version: string;
            stale_daemons: string[];
            daemons: components["schemas"]["Daemons"];
            /** @description Shortest poll interval of a polled service (POLL_INTERVAL_SECONDS when none) */
            poll_interval_seconds: number;
            /** @description Two poll intervals plus one cycle (HTTP_TIMEOUT_SECONDS): the page calls the last poll late beyond it */
            poll_late_after_seconds: number;
            /** @description pollerd is stale as /healthz sees it (or the database cannot be read) */
            pollerd_stale: boolean;
        };
        Healthz: {
            /** @enum {string} */
            status: "ok" | "stale" | "error";
            heartbeat_age_seconds: number | null;
            threshold_seconds: number;
            stale: ("pollerd" | "alertd" | "apid")[];
            daemons: components["schemas"]["Daemons"];
        };
        InboxRow: {
            id: number;
            kind: string;
            consumer: string;
            service_id: string | null;
            /** @enum {string} */
            state: "pending" | "applied" | "rejected";
            result: unknown;
            error: string | null;
            event_id: number | null;
            created_at: string;
            applied_at: string | null;
        };
        Queued: {
            data: {
                inbox_id: number;
                kind: string;
                /** @constant */
                state: "pending";
            };
            error: null;
            meta: {
                /** @constant */
                queued: true;
            };
        };
        ManualStatusRequest: {
            service_id: string;
            new_status: components["schemas"]["Status"];
            detail?: string | null;
            reason: string;
        };
        ManualStatusMeta: {
            status_changed: boolean;
            previous_status: components["schemas"]["NullableStatus"];
            event_id: number | null;
            inbox_id: number;
        };
        MaintenanceRequest: {
            service_id: string;
            title: string;
            /** Format: date-time */
            scheduled_for: string;
            /** Format: date-time */
            scheduled_until?: string | null;
            description?: string | null;
            created_by?: string | null;
        };
        ErrorEnvelope: {
            detail: {
                data: null;
                error: {
                    code: string;
                    message: string;
                };
                meta: null;
            };
        };
        PlainDetail: {
            detail: string;
        };
        ValidationError: {
            detail: {
                type: string;
                loc: string[];
                msg: string;
            }[];
        };
        WebhookAck: {
            ok: boolean;
            queued: boolean;
            inbox_id?: number;
            reason?: string;
        };
        SlackReply: {
            /** @constant */
            response_type: "ephemeral";
            text: string;
            blocks?: Record<string, never>[];
        };
    };
    responses: {
        /** @description If-None-Match named the current ETag: no body (doc/scale.md#http). */
        NotModified: {
            headers: {
                ETag?: string;
                [name: string]: unknown;
            };
            content?: never;
        };
        /** @description An application error: the seed shape, an error envelope inside detail. */
        Error: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorEnvelope"];
            };
        };
        /** @description A plain error: {detail: message}. */
        Plain: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["PlainDetail"];
            };
        };
        /** @description The request was invalid (FastAPI-style list of problems). */
        Validation: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ValidationError"];
            };
        };
        /** @description The bearer token is missing. */
        Unauthorized: {
            headers: {
                "WWW-Authenticate"?: "Bearer";
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorEnvelope"];
            };
        };
        /** @description pollerd did not apply the command within admin_wait_ms; it stays queued. */
        Queued: {
            headers: {
                /** @description GET it (bearer) to follow the command */
                Location?: string;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Queued"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
