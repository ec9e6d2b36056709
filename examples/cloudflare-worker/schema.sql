-- Open and paid invoices, and every mutation id the Worker has processed. The mutations table is what
-- makes a callback idempotent across Worker instances: its primary key admits each id once.
CREATE TABLE IF NOT EXISTS invoices (
  id TEXT PRIMARY KEY,
  amount TEXT NOT NULL,            -- two-decimal string, as uniqueAmount returns it ("150003.00")
  created_at INTEGER NOT NULL,     -- Unix seconds
  expires_at INTEGER,
  reference TEXT,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid')),
  paid_by INTEGER                  -- the mutation id that paid it
);
CREATE INDEX IF NOT EXISTS invoices_open_amount ON invoices (amount) WHERE status = 'open';

CREATE TABLE IF NOT EXISTS mutations (
  id INTEGER PRIMARY KEY,          -- CekMutasi's mutation id
  outcome TEXT NOT NULL,           -- matched | ambiguous | unmatched | debit | lost_race
  invoice_id TEXT,
  amount TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
