//! Solutions turned into checked results. [`carp_validator`] checks a solution
//! of an abstract instance independently of the solver.

pub mod bounds;
pub mod bridges;
pub mod capacity_cuts;
pub mod carp_solution;
pub mod carp_validator;
pub mod clock;
pub mod min_cost_flow;
pub mod mixed_bound;
pub mod odd_cuts;
pub mod salt_bound;
pub mod salt_check;
pub mod shift;
pub mod solve;
pub mod validate;
