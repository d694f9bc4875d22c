-- The loop's refiner candidates: how each candidate the refiner proposed scored on a minibatch of training cases before
-- the best one was proposed (null when the refiner was asked once).
ALTER TABLE suggestions ADD COLUMN screening jsonb;
