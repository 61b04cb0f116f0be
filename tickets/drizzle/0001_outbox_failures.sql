DROP INDEX "outbox_pending_idx";--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "aggregate" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "failed_at" timestamp with time zone;--> statement-breakpoint
UPDATE "outbox" SET "aggregate" = coalesce("data"->>'id', "id"::text) WHERE "aggregate" = '';--> statement-breakpoint
CREATE INDEX "outbox_failed_idx" ON "outbox" USING btree ("aggregate","position") WHERE "outbox"."failed_at" is not null;--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "outbox" USING btree ("position") WHERE "outbox"."published_at" is null and "outbox"."failed_at" is null;