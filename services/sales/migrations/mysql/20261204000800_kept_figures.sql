-- The figures of settled hours (ones that ended long enough ago that no sale can still be
-- recorded in them), kept so that a summary over a month reads some thirty rows instead of
-- every sale: a whole UTC day as one row (`hours` = 24), other hours one by one. Hours are
-- unix milliseconds (UTC) divided by 3,600,000.
CREATE TABLE sales_kept_figures (
    first_hour BIGINT     NOT NULL,
    hours      BIGINT     NOT NULL,
    revision   BIGINT     NOT NULL,
    figures    MEDIUMTEXT NOT NULL,
    PRIMARY KEY (first_hour, hours)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- How often the sales of an hour were changed (voided or returned). Kept figures are good only
-- while their revision is the sum of their hours': each change counts up in its transaction.
CREATE TABLE sales_hour_revisions (
    hour     BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    PRIMARY KEY (hour)
) ENGINE = InnoDB;
