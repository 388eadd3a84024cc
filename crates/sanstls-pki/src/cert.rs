//! (issue 6: cert; in progress)
