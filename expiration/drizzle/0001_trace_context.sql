ALTER TABLE "expirations" ADD COLUMN "trace_context" jsonb;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "trace_context" jsonb;