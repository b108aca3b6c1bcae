#!/usr/bin/env Rscript
# Reference numbers for tests/analysis/test_reference.py, from R's survey package.
#
#   Rscript tests/analysis/results/make_reference.R
#
# Reads the data made by make_data.py (cases.csv, responses_*.csv, spec_*.csv,
# margins_*.csv) and writes reference.csv (one row per case, grouping, group and
# quantity) and weights.csv (the raked weight of every analysed respondent).
#
# The design is the contract's: svydesign(ids = ~1, strata = ~STRATA, weights = ~w),
# final weights fixed.  Weights are raked with survey::rake() from weights 1, margin
# variables in file order, iterated far past the contract's 1e-10 relative tolerance;
# the iteration count of the contract's own stopping rule is recomputed by ipf() below.
# Means: svymean / svyby(..., svymean, na.rm = TRUE) (domain estimation); rates:
# svyciprop(method = "logit") on subset(design, group & answered overall), whose
# default df is degf() of that subset = respondents in the domain - strata present.
#
# options(survey.lonely.psu = "certainty"): a stratum with a single respondent
# contributes no variance, as the contract says ("remove" gives the same numbers for
# this design; the default "fail" stops with an error).  Made with R 4.2.2 and
# survey 4.1-1 (Debian: apt-get install r-base-core r-cran-survey).

suppressMessages(library(survey))
options(survey.lonely.psu = "certainty")
invisible(Sys.setlocale("LC_ALL", "C.UTF-8"))

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", args, value = TRUE))))
rd <- function(f, ...) read.csv(file.path(here, f), encoding = "UTF-8", fileEncoding = "UTF-8",
                                 stringsAsFactors = FALSE, check.names = FALSE, ...)

score <- function(d, spec) {
  items <- spec[spec$kind == "item", ]
  ov <- spec[spec$kind == "overall", ]
  S <- sapply(seq_len(nrow(items)), function(j)
    100 * (d[[items$id[j]]] - items$min[j]) / (items$max[j] - items$min[j]))
  colnames(S) <- items$id
  dims <- unique(items$dimension)
  D <- sapply(dims, function(k) {
    idx <- which(items$dimension == k)
    s <- S[, idx, drop = FALSE]
    a <- !is.na(s)
    wt <- matrix(items$weight[idx], nrow(s), length(idx), byrow = TRUE)
    den <- rowSums(a * wt)
    ifelse(den > 0, rowSums(ifelse(a, s * wt, 0)) / den, NA)
  })
  dw <- items$dimension_weight[match(dims, items$dimension)]
  A <- !is.na(D)
  W <- matrix(dw, nrow(D), length(dims), byrow = TRUE)
  den <- rowSums(A * W)
  d$index <- ifelse(den > 0, rowSums(ifelse(A, D * W, 0)) / den, NA)
  for (k in dims) d[[paste0("dim_", k)]] <- D[, k]
  for (j in items$id) d[[paste0("item_", j)]] <- S[, j]
  o <- d[[ov$id[1]]]
  d$sat01 <- as.numeric(o >= ov$threshold[1])
  d$sat <- 100 * d$sat01
  list(d = d, dims = dims, items = items$id)
}

# The contract's raking loop, only to count its sweeps (weights come from rake()).
ipf <- function(d, m, vars) {
  w <- rep(1, nrow(d))
  err_of <- function(w) max(sapply(vars, function(v) {
    tgt <- setNames(m$population[m$variable == v], m$category[m$variable == v])
    tot <- tapply(w, d[[v]], sum)[names(tgt)]
    max(abs(tot - tgt) / tgt)
  }))
  for (it in 1:100) {
    for (v in vars) {
      tgt <- setNames(m$population[m$variable == v], m$category[m$variable == v])
      tot <- tapply(w, d[[v]], sum)
      w <- w * as.numeric(tgt[d[[v]]] / tot[d[[v]]])
    }
    if (err_of(w) <= 1e-10) return(it)
  }
  NA
}

cases <- rd("cases.csv", colClasses = "character")
out <- list()
wout <- list()
add <- function(...) out[[length(out) + 1]] <<- data.frame(..., stringsAsFactors = FALSE)

for (ci in seq_len(nrow(cases))) {
  cs <- cases[ci, ]
  spec <- rd(paste0("spec_", cs$data, ".csv"))
  raw <- rd(paste0("responses_", cs$data, ".csv"), colClasses = c(respondent_id = "character",
            district = "character", age_group = "character", gender = "character", period = "character"))
  sc <- score(raw, spec)
  d <- sc$d[!is.na(sc$d$index), ]
  d$one <- 1
  iterations <- NA
  if (cs$margins != "") {
    m <- rd(cs$margins)
    vars <- unique(m$variable)
    des0 <- svydesign(ids = ~1, weights = ~one, data = d)
    smarg <- lapply(vars, function(v) as.formula(paste0("~", v)))
    pmarg <- lapply(vars, function(v) {
      x <- m[m$variable == v, c("category", "population")]
      names(x) <- c(v, "Freq")
      x
    })
    r <- rake(des0, smarg, pmarg, control = list(maxit = 1000, epsilon = 1e-6, verbose = FALSE))
    d$w <- as.numeric(weights(r))
    iterations <- ipf(d, m, vars)
  } else {
    d$w <- 1
  }
  wout[[ci]] <- data.frame(case = cs$case, respondent_id = d$respondent_id, w = d$w)
  des <- if (cs$strata != "") {
    svydesign(ids = ~1, strata = as.formula(paste0("~", cs$strata)), weights = ~w, data = d)
  } else {
    svydesign(ids = ~1, weights = ~w, data = d)
  }
  n <- nrow(d)
  add(case = cs$case, grouping = "all", group = "all", quantity = "n_received",
      estimate = nrow(raw), se = NA, ci_low = NA, ci_high = NA, n = NA, df = NA)
  add(case = cs$case, grouping = "all", group = "all", quantity = "iterations",
      estimate = iterations, se = NA, ci_low = NA, ci_high = NA, n = NA, df = NA)
  quantities <- c("index", paste0("dim_", sc$dims), paste0("item_", sc$items))
  groupings <- c("all", strsplit(cs$groupings, ";")[[1]])
  for (gp in groupings) {
    if (gp == "all") {
      label <- rep("all", n)
    } else {
      vs <- strsplit(gp, "+", fixed = TRUE)[[1]]
      label <- do.call(paste, c(lapply(vs, function(v) d[[v]]), sep = "|"))
    }
    des <- update(des, grp = label)
    groups <- sort(unique(label))
    for (g in groups) {
      ing <- label == g
      wg <- d$w[ing]
      add(case = cs$case, grouping = gp, group = g, quantity = "n", estimate = sum(ing),
          se = NA, ci_low = NA, ci_high = NA, n = sum(ing), df = NA)
      add(case = cs$case, grouping = gp, group = g, quantity = "deff",
          estimate = sum(ing) * sum(wg^2) / sum(wg)^2, se = NA, ci_low = NA, ci_high = NA,
          n = sum(ing), df = NA)
      add(case = cs$case, grouping = gp, group = g, quantity = "population", estimate = sum(wg),
          se = NA, ci_low = NA, ci_high = NA, n = sum(ing), df = NA)
      # satisfaction rate: svyciprop on the domain of the group who answered the overall item
      sub <- subset(des, grp == g & !is.na(sat01))
      p <- svyciprop(~sat01, sub, method = "logit")
      cip <- suppressWarnings(confint(p))
      add(case = cs$case, grouping = gp, group = g, quantity = "satisfaction_rate",
          estimate = 100 * as.numeric(coef(p)), se = 100 * sqrt(as.numeric(attr(p, "var"))),
          ci_low = 100 * cip[1], ci_high = 100 * cip[2],
          n = sum(ing & !is.na(d$sat01)), df = degf(sub))
    }
    for (q in c(quantities, "sat")) {
      f <- as.formula(paste0("~", q))
      if (gp == "all") {
        r <- svymean(f, des, na.rm = TRUE)
        est <- setNames(as.numeric(coef(r)), "all")
        se <- setNames(as.numeric(SE(r)), "all")
        cf <- confint(r)
        lo <- setNames(cf[, 1], "all")
        hi <- setNames(cf[, 2], "all")
      } else {
        r <- svyby(f, ~grp, des, svymean, na.rm = TRUE)
        est <- setNames(as.numeric(coef(r)), r$grp)
        se <- setNames(as.numeric(SE(r)), r$grp)
        cf <- confint(r)
        lo <- setNames(cf[, 1], r$grp)
        hi <- setNames(cf[, 2], r$grp)
      }
      cnt <- tapply(!is.na(d[[q]]), label, sum)
      qname <- if (q == "sat") "satisfaction_rate_mean" else q
      for (g in names(est)) {
        add(case = cs$case, grouping = gp, group = g, quantity = qname, estimate = est[[g]],
            se = se[[g]], ci_low = lo[[g]], ci_high = hi[[g]], n = cnt[[g]], df = NA)
      }
    }
  }
}

res <- do.call(rbind, out)
write.csv(res, file.path(here, "reference.csv"), row.names = FALSE, fileEncoding = "UTF-8", na = "")
write.csv(do.call(rbind, wout), file.path(here, "weights.csv"), row.names = FALSE,
          fileEncoding = "UTF-8")
cat("wrote", nrow(res), "reference rows\n")
