ALTER TABLE "tickets" ADD COLUMN "event_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "withdrawn" boolean DEFAULT false NOT NULL;