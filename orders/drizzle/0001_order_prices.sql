-- Orders placed before prices were kept on the order take their ticket's price as orders' copy has it now.
-- The column stays nullable: while a rolling update runs, an instance of the previous version still
-- places orders without it (the API shows the copy's price for those, as that version did).
ALTER TABLE "orders" ADD COLUMN "price_cents" integer;--> statement-breakpoint
UPDATE "orders" SET "price_cents" = "tickets"."price_cents" FROM "tickets" WHERE "tickets"."id" = "orders"."ticket_id";--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "cancelled_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "orders_holding_by_user" ON "orders" USING btree ("user_id") WHERE "orders"."status" = 'created';
