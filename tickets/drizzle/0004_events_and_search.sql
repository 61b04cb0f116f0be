ALTER TABLE "tickets" ADD COLUMN "event_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "time_zone" text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "venue" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "city" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "seat" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "withdrawn" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "search_text" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "city_key" text;--> statement-breakpoint
-- Tickets listed before: their titles, as searches read them (PostgreSQL lowercases ASCII letters here;
-- the service lowercases every letter from now on).
UPDATE "tickets" SET "search_text" = lower("title");--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "event_day" date;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;--> statement-breakpoint
CREATE INDEX "tickets_soonest_idx" ON "tickets" USING btree ("event_at","id");--> statement-breakpoint
CREATE INDEX "tickets_price_idx" ON "tickets" USING btree ("price_cents","id");--> statement-breakpoint
CREATE INDEX "tickets_city_idx" ON "tickets" USING btree ("city_key");--> statement-breakpoint
CREATE INDEX "tickets_event_day_idx" ON "tickets" USING btree ("event_day");--> statement-breakpoint
CREATE INDEX "tickets_search_idx" ON "tickets" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "tickets_seller_idx" ON "tickets" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);